import { readFileSync } from 'node:fs';
import type { CompiledRule } from '../src/engine/rules/detection-rule';
import { rulePackFromJson } from '../src/engine/rules/rule-pack';

/**
 * Reads the rule pack packaged next to the handler. Synchronous on purpose: it runs once, at cold
 * start, before any event can be handled.
 */
export function loadRulePack(rulesPath: string): CompiledRule[] {
  let text: string;
  try {
    text = readFileSync(rulesPath, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read the detector rule pack at ${rulesPath}: ${(error as Error).message}`, { cause: error });
  }
  return rulePackFromJson(text, rulesPath);
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileRules, type CompiledRule, loadRuleDirectory, rulePackToJson } from '../src/engine/rules';

export interface RulePackFile {
  /** A `rules.json` outside the repository, to be copied into the Lambda bundle. */
  readonly path: string;
  readonly rules: readonly CompiledRule[];
}

/**
 * Loads and validates the rule directory at synth time (a broken rule fails the synth, not the Lambda) and writes
 * the rule pack the function reads at run time. The file lands in the bundle, so the asset hash follows the rules.
 */
export function writeRulePackFile(rulesDirectory: string): RulePackFile {
  const definitions = loadRuleDirectory(rulesDirectory);
  const rules = compileRules(definitions);
  const path = join(mkdtempSync(join(tmpdir(), 'detector-rules-')), 'rules.json');
  writeFileSync(path, rulePackToJson(definitions));
  return { path, rules };
}

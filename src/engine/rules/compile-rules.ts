import { compileKql, parseKql } from '../kql';
import type { CompiledRule, DetectionRule } from './detection-rule';

/** Parses each rule's query once so that evaluation per event is a plain function call. */
export function compileRules(rules: readonly DetectionRule[]): CompiledRule[] {
  return rules.map((rule) => {
    const ast = parseKql(rule.query);
    return { rule, ast, matches: compileKql(ast) };
  });
}

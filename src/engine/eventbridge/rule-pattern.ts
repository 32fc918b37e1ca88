import type { CompiledRule } from '../rules/detection-rule';
import { compileEventPattern } from './compile-pattern';
import { compileEqlEventPattern } from './eql-conditions';
import type { CompiledEventPattern } from './event-pattern';

/**
 * A rule's EventBridge pre-filter pattern: from its KQL query, or from its EQL query (every stage of a sequence,
 * so the function receives every event the sequence needs). Sound either way: an event the rule can use matches.
 */
export function compileRulePattern(rule: CompiledRule): CompiledEventPattern {
  return rule.eql ? compileEqlEventPattern(rule.eql.query, rule.eql.options) : compileEventPattern(rule.ast);
}

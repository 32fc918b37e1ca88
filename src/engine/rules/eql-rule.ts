import type { EqlQuery } from '../eql/ast';
import type { EqlCompileOptions } from '../eql/compile-condition';
import { parseEql } from '../eql/parser';
import type { DetectionRule } from './detection-rule';

/**
 * What kind of EQL rule a rule is, decided in one place: callers ask `isEqlRule` / `isSequenceRule` rather than
 * looking at the query text. The parse is cached per rule object (a rule's query never changes once validated).
 */
const parsed = new WeakMap<DetectionRule, EqlQuery>();

export function isEqlRule(rule: DetectionRule): boolean {
  return rule.language === 'eql';
}

/** The rule's EQL query, parsed (the rule must be an EQL rule that passed validation). */
export function eqlQueryOf(rule: DetectionRule): EqlQuery {
  let query = parsed.get(rule);
  if (!query) {
    query = parseEql(rule.query);
    parsed.set(rule, query);
  }
  return query;
}

/** `sequence …` rules: their alerts come from a state machine over several events, not from one event. */
export function isSequenceRule(rule: DetectionRule): boolean {
  return isEqlRule(rule) && eqlQueryOf(rule).kind === 'sequence';
}

/** The options the EQL compilers take for this rule: `event_category_override` names the category field. */
export function eqlOptionsOf(rule: DetectionRule): EqlCompileOptions {
  return rule.eventCategoryOverride === undefined ? {} : { eventCategoryField: rule.eventCategoryOverride };
}

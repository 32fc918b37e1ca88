import { eventFiltersOf } from '../eql/ast';
import { compileEventFilter } from '../eql/compile-condition';
import { eqlFieldsRead } from '../eql/fields-read';
import { eqlToKqlSuperset } from '../eql/kql-superset';
import { compileKql, parseKql } from '../kql';
import { kqlFieldsRead } from '../kql/fields-read';
import type { CompiledRule, DetectionRule } from './detection-rule';
import { eqlOptionsOf, eqlQueryOf, isEqlRule } from './eql-rule';

/** Parses each rule's query once so that evaluation per event is a plain function call. */
export function compileRules(rules: readonly DetectionRule[]): CompiledRule[] {
  return rules.map((rule) => (isEqlRule(rule) ? compileEqlRule(rule) : compileKqlRule(rule)));
}

function compileKqlRule(rule: DetectionRule): CompiledRule {
  const ast = parseKql(rule.query);
  return { rule, ast, matches: compileKql(ast), fieldsRead: kqlFieldsRead(ast) };
}

/**
 * A single-event EQL rule matches what its filter matches. A sequence rule "matches" an event that can take part in
 * it (any stage, missing ones and `until` included): the detector hands such events to the sequence state.
 */
function compileEqlRule(rule: DetectionRule): CompiledRule {
  const query = eqlQueryOf(rule);
  const options = eqlOptionsOf(rule);
  const ast = eqlToKqlSuperset(query, options);
  const fieldsRead = eqlFieldsRead(eventFiltersOf(query), options);
  if (query.kind === 'event') return { rule, ast, eql: { query, options }, matches: compileEventFilter(query.filter, options), fieldsRead };
  const stages = eventFiltersOf(query).map((filter) => compileEventFilter(filter, options));
  return { rule, ast, eql: { query, options }, matches: (document) => stages.some((stage) => stage(document)), fieldsRead };
}

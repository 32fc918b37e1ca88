import type { DetectionRule } from './detection-rule';
import { RuleFileError } from './rule-file-error';

/**
 * A cheap structural check of a packaged rule. The full schema check ran at synth time on the TOML; this only
 * guards against a pack edited or truncated since, so the function fails at cold start rather than per event.
 */
export function validateRuleShape(rule: unknown, source: string): asserts rule is DetectionRule {
  const candidate = rule as Partial<Record<keyof DetectionRule, unknown>> | null;
  const problems: { field: string; problem: string }[] = [];
  if (!candidate || typeof candidate !== 'object') {
    throw new RuleFileError(source, [{ field: '', problem: 'expected a rule object' }]);
  }
  for (const key of ['ruleId', 'name', 'description', 'severity', 'query', 'type', 'language'] as const) {
    if (typeof candidate[key] !== 'string') problems.push({ field: key, problem: 'expected a string' });
  }
  if (typeof candidate.riskScore !== 'number') problems.push({ field: 'riskScore', problem: 'expected a number' });
  for (const key of ['references', 'threat', 'tags', 'falsePositives', 'investigationFields'] as const) {
    if (!Array.isArray(candidate[key])) problems.push({ field: key, problem: 'expected a list' });
  }
  for (const key of ['eventCategoryOverride', 'tiebreakerField', 'timestampField'] as const) {
    if (candidate[key] !== undefined && typeof candidate[key] !== 'string') problems.push({ field: key, problem: 'expected a field name' });
  }
  // A stateful rule without its settings would run with none: refuse the pack rather than guess.
  const newTerms = candidate.newTerms as { fields?: unknown; historyWindowMs?: unknown } | undefined;
  if (candidate.type === 'new_terms' && !(Array.isArray(newTerms?.fields) && typeof newTerms?.historyWindowMs === 'number')) {
    problems.push({ field: 'newTerms', problem: 'a new_terms rule needs { fields, historyWindowStart, historyWindowMs }' });
  }
  const threshold = candidate.threshold as { fields?: unknown; value?: unknown; cardinality?: unknown; windowMs?: unknown } | undefined;
  if (
    candidate.type === 'threshold' &&
    !(Array.isArray(threshold?.fields) && typeof threshold?.value === 'number' && Array.isArray(threshold?.cardinality) && typeof threshold?.windowMs === 'number')
  ) {
    problems.push({ field: 'threshold', problem: 'a threshold rule needs { fields, value, cardinality, windowMs }' });
  }
  if (problems.length > 0) throw new RuleFileError(source, problems);
}

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
  if (problems.length > 0) throw new RuleFileError(source, problems);
}

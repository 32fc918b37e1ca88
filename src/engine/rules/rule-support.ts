import type { DetectionRule } from './detection-rule';
import { SUPPORTED_RULE_TYPES } from './validate-rule';

/**
 * Undefined for a rule the engine runs; otherwise what to call its kind when saying it does not run (its type).
 * Every door that sorts rules into run and not run asks this.
 */
export function notRunningKindOf(rule: DetectionRule): string | undefined {
  if (!SUPPORTED_RULE_TYPES.has(rule.type)) return rule.type;
  return undefined;
}

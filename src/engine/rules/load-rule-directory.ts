import type { DetectionRule } from './detection-rule';
import { loadRulePack } from './load-rule-pack';
import { RuleFileError } from './rule-file-error';
import { unsupportedTypeProblem } from './validate-rule';

/**
 * The strict form of `loadRulePack`, for callers that must run every rule they are given (tests, the bench, the
 * Lambda test harness): a rule of an unsupported type fails the load, naming its file, exactly as it did before
 * rule packs could report such rules. Use `loadRulePack` to run what can run and report the rest.
 */
export function loadRuleDirectory(directory: string): DetectionRule[] {
  const { rules, unsupported } = loadRulePack(directory);
  const [first] = unsupported;
  if (first) throw new RuleFileError(first.file, [{ field: 'rule.type', problem: unsupportedTypeProblem(first.type) }]);
  return rules;
}

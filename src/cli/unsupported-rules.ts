import type { UnsupportedRule } from '../engine/rules';

/** The stderr line that tells the operator a rule in their pack is skipped, so it is never silently dropped. */
export function describeUnsupportedRule(rule: UnsupportedRule): string {
  return `rules: "${rule.name}" (${rule.file}) is a ${rule.type} rule: not supported yet, not evaluated`;
}

import type { UnsupportedRule } from '../engine/rules';
import { printable } from './terminal-text';

/** The stderr line that tells the operator a rule in their pack is skipped, so it is never silently dropped. */
export function describeUnsupportedRule(rule: UnsupportedRule): string {
  return `rules: "${printable(rule.name)}" (${printable(rule.file)}) is ${/^[aeiou]/i.test(rule.type) ? 'an' : 'a'} ${printable(rule.type)} rule: not supported yet, not evaluated`;
}

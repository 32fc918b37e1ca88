import { ExceptionConfigError } from './errors';
import type { AppliedExceptionList, ResolvedRuleExceptions } from './resolve-rule-exceptions';

/**
 * The resolved exceptions as packaged with the Lambda (`exceptions.json` next to `rules.json`): validated and
 * resolved at synth time, read as is at cold start. Plain JSON: parsed lists are data already.
 */
export const EXCEPTION_PACK_FORMAT = 'cloudtrail-stream-detector/exception-pack';

interface ExceptionPackDocument {
  readonly format: typeof EXCEPTION_PACK_FORMAT;
  readonly version: 1;
  /** One entry per rule of the rule pack, lists resolved (rule's own `exceptions_list` plus the stack mapping). */
  readonly rules: readonly Omit<ResolvedRuleExceptions, 'items'>[];
}

export function exceptionPackToJson(resolved: readonly ResolvedRuleExceptions[]): string {
  // `items` is derived from `lists`; leave it out so each item is stored once.
  const rules = resolved.map(({ ruleId, ruleName, lists }) => ({ ruleId, ruleName, lists }));
  const document: ExceptionPackDocument = { format: EXCEPTION_PACK_FORMAT, version: 1, rules };
  return `${JSON.stringify(document, null, 2)}\n`;
}

export function exceptionPackFromJson(text: string, source: string): ResolvedRuleExceptions[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ExceptionConfigError([`${source}: not valid JSON (${(error as Error).message})`]);
  }
  const document = parsed as { format?: unknown; version?: unknown; rules?: unknown } | null;
  if (!document || document.format !== EXCEPTION_PACK_FORMAT || document.version !== 1 || !Array.isArray(document.rules)) {
    throw new ExceptionConfigError([`${source}: not a version 1 ${EXCEPTION_PACK_FORMAT} document`]);
  }
  return (document.rules as Partial<ResolvedRuleExceptions>[]).map((rule, i) => {
    if (typeof rule?.ruleId !== 'string' || !Array.isArray(rule.lists) || rule.lists.some((applied: Partial<AppliedExceptionList> | null) => !Array.isArray(applied?.list?.items))) {
      throw new ExceptionConfigError([`${source}: rules[${i}] is not a resolved rule exception entry`]);
    }
    return { ruleId: rule.ruleId, ruleName: String(rule.ruleName ?? rule.ruleId), lists: rule.lists, items: rule.lists.flatMap(({ list }: AppliedExceptionList) => list.items) };
  });
}

import type { DetectionRule } from '../rules/detection-rule';
import { ExceptionConfigError } from './errors';
import type { ExceptionItem, ExceptionList } from './types';

/** Which lists apply to a rule (`exceptions_list` in its TOML, plus the stack configuration's mapping). */
export type RuleExceptionMapping = Readonly<Record<string, readonly string[]>>;

export interface AppliedExceptionList {
  readonly list: ExceptionList;
  /** Why the list applies: the rule names it in `exceptions_list`, the stack mapping names it, or both. */
  readonly via: readonly ('rule' | 'mapping')[];
}

export interface ResolvedRuleExceptions {
  readonly ruleId: string;
  readonly ruleName: string;
  /** The lists in order (rule's own references first, then the mapping's), each once. */
  readonly lists: readonly AppliedExceptionList[];
  /** All items of those lists, expired ones included (matching skips them; the report shows them). */
  readonly items: readonly ExceptionItem[];
}

/**
 * Resolves, for every rule, the exception lists that apply to it. Fails, naming everything wrong at once, on a
 * list id that no loaded list has (from a rule's `exceptions_list` or from the mapping), on a mapping entry for a
 * rule that is not loaded, on a rule referencing a list with a different namespace_type, and on two loaded lists
 * sharing a list_id.
 */
export function resolveRuleExceptions(
  rules: readonly Pick<DetectionRule, 'ruleId' | 'name' | 'sourceFile' | 'exceptionsList'>[],
  lists: readonly ExceptionList[],
  mapping: RuleExceptionMapping = {},
): ResolvedRuleExceptions[] {
  const problems: string[] = [];
  const byId = new Map<string, ExceptionList>();
  for (const list of lists) {
    const previous = byId.get(list.listId);
    if (previous) {
      problems.push(`exception list "${list.listId}" is defined twice: ${where(previous)} and ${where(list)}`);
    } else {
      byId.set(list.listId, list);
    }
  }
  const ruleIds = new Set(rules.map((rule) => rule.ruleId));
  for (const ruleId of Object.keys(mapping)) {
    if (!ruleIds.has(ruleId)) problems.push(`the exception mapping names rule "${ruleId}", which is not loaded`);
    const listIds = mapping[ruleId];
    if (!Array.isArray(listIds) || listIds.some((id) => typeof id !== 'string')) {
      problems.push(`the exception mapping for rule "${ruleId}" is not a list of list ids`);
    }
  }

  const resolved = rules.map((rule): ResolvedRuleExceptions => {
    const applied = new Map<string, { list: ExceptionList; via: ('rule' | 'mapping')[] }>();
    const add = (listId: string, via: 'rule' | 'mapping', missing: () => string): void => {
      const list = byId.get(listId);
      if (!list) {
        problems.push(missing());
        return;
      }
      const existing = applied.get(listId);
      if (existing) {
        if (!existing.via.includes(via)) existing.via.push(via);
      } else {
        applied.set(listId, { list, via: [via] });
      }
    };
    (rule.exceptionsList ?? []).forEach((reference, i) => {
      add(reference.listId, 'rule', () =>
        `rule "${rule.ruleId}" (${rule.name}) names exception list "${reference.listId}" in ${rule.sourceFile} exceptions_list[${i}], but no such list is loaded`,
      );
      const list = byId.get(reference.listId);
      if (list && list.namespaceType !== reference.namespaceType) {
        problems.push(
          `rule "${rule.ruleId}" names exception list "${reference.listId}" with namespace_type "${reference.namespaceType}", but ${where(list)} is "${list.namespaceType}"`,
        );
      }
    });
    const mapped = mapping[rule.ruleId];
    if (Array.isArray(mapped)) {
      for (const listId of mapped) {
        if (typeof listId !== 'string') continue;
        add(listId, 'mapping', () => `the exception mapping gives rule "${rule.ruleId}" (${rule.name}) exception list "${listId}", but no such list is loaded`);
      }
    }
    const appliedLists = [...applied.values()];
    return {
      ruleId: rule.ruleId,
      ruleName: rule.name,
      lists: appliedLists,
      items: appliedLists.flatMap(({ list }) => list.items),
    };
  });
  if (problems.length > 0) throw new ExceptionConfigError(problems);
  return resolved;
}

function where(list: ExceptionList): string {
  return `${list.source.file}:${list.source.line}`;
}

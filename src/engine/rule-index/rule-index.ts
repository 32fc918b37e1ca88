import type { CompiledRule } from '../rules/detection-rule';
import { FieldIndex } from './field-index';
import { isJsonObject } from '../ecs/json-values';
import { actionOf, providerOf } from './record-keys';
import { requiredValues } from './required-values';

/** Distinct (provider, action) pairs remembered; trails repeat a few hundred pairs, so this rarely fills up. */
const MEMO_LIMIT = 4096;

export interface RuleIndex {
  /**
   * The rules, in their original order, that can possibly match `record`: a rule left out cannot match it.
   * Undefined when the record is not a JSON object (the caller normalizes it anyway, which reports the problem).
   */
  candidatesFor(record: unknown): readonly CompiledRule[] | undefined;
}

/**
 * Indexes rules by the `event.provider` and `event.action` values their queries require, so a record is only
 * tested against rules that can match its `eventSource` / `eventName`, looked up before any normalization.
 */
export function createRuleIndex(rules: readonly CompiledRule[]): RuleIndex {
  const providers = new FieldIndex(rules.map((rule) => requiredValues(rule.ast, 'event.provider')));
  const actions = new FieldIndex(rules.map((rule) => requiredValues(rule.ast, 'event.action')));
  const memo = new Map<string | undefined, Map<string | undefined, readonly CompiledRule[]>>();
  let memoSize = 0;

  function lookUp(provider: string | undefined, action: string | undefined): readonly CompiledRule[] {
    const allowedByProvider = new Uint8Array(rules.length);
    const allowedByAction = new Uint8Array(rules.length);
    providers.markCandidates(provider, allowedByProvider);
    actions.markCandidates(action, allowedByAction);
    return rules.filter((_, position) => allowedByProvider[position] === 1 && allowedByAction[position] === 1);
  }

  return {
    candidatesFor(record) {
      if (!isJsonObject(record)) return undefined;
      const provider = providerOf(record);
      const action = actionOf(record);
      let byAction = memo.get(provider);
      const remembered = byAction?.get(action);
      if (remembered) return remembered;
      const candidates = lookUp(provider, action);
      if (memoSize >= MEMO_LIMIT) {
        memo.clear();
        memoSize = 0;
        byAction = undefined;
      }
      if (!byAction) memo.set(provider, (byAction = new Map()));
      byAction.set(action, candidates);
      memoSize += 1;
      return candidates;
    },
  };
}

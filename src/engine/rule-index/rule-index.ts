import type { CompiledRule } from '../rules/detection-rule';
import { FieldIndex } from './field-index';
import { isJsonObject } from '../ecs/json-values';
import { compileFieldPath } from '../kql/document-access';
import { INDEXED_FIELDS, keywordAt, payloadDemand, payloadFieldsOf, payloadStrings } from './record-keys';
import { requiredValues } from './required-values';

/** Distinct values (per field) and value combinations remembered; trails repeat a few hundred, so this rarely fills up. */
const MEMO_LIMIT = 4096;
/** Longest field value (characters) the memo keeps: API names, types, ARNs and addresses fit. */
const MEMO_VALUE_LENGTH = 512;

export interface RuleIndex {
  /**
   * The rules, in their original order, that can possibly match `record`: a rule left out cannot match it.
   * Undefined when the record is not a JSON object (the caller normalizes it anyway, which reports the problem).
   */
  candidatesFor(record: unknown): readonly CompiledRule[] | undefined;
  /** Rules that constrain none of the indexed fields: they are candidates for every record. */
  readonly unindexed: readonly CompiledRule[];
}

/** One indexed field: how to read its values from the raw record, which rules each value lets through. */
interface IndexedField {
  /** The field's values in the record, as one memo key: undefined when absent. */
  readonly read: (record: Record<string, unknown>) => string | undefined;
  /** Marks the rules the values behind a key let through. */
  readonly mark: (key: string | undefined, allowed: Uint8Array) => void;
  /** Value → id of the set of rules it lets through (values letting the same rules through share an id). */
  readonly classOf: Map<string | undefined, number>;
}

/**
 * Indexes rules by the values their queries require of the fields a raw record holds verbatim (`event.provider`,
 * `event.action`, `aws.cloudtrail.user_identity.type`, the user agent, ...: INDEXED_FIELDS), so a record is only
 * tested against rules that can match those values, looked up before any normalization. A rule is a candidate when
 * every indexed field admits the record's value.
 */
export function createRuleIndex(rules: readonly CompiledRule[]): RuleIndex {
  const fields: IndexedField[] = [];
  const constrains = new Set<CompiledRule>();
  for (const [field, path] of INDEXED_FIELDS) {
    const demands = rules.map((rule) => requiredValues(rule.ast, field));
    rules.forEach((rule, n) => demands[n] !== 'any' && constrains.add(rule));
    if (demands.every((demand) => demand === 'any')) continue;
    const index = new FieldIndex(demands);
    fields.push({ read: (record) => keywordAt(record, path), mark: (value, allowed) => index.markCandidates(value, allowed), classOf: new Map() });
  }
  // Flattened payload fields (a request parameter's value, ...): every string there, through arrays.
  const payloadFields = new Map(rules.flatMap((rule) => payloadFieldsOf(rule.ast)).map((found) => [found.field, found]));
  for (const { field, member, inner } of payloadFields.values()) {
    const demands = rules.map((rule) => payloadDemand(requiredValues(rule.ast, field)));
    rules.forEach((rule, n) => demands[n] !== 'any' && constrains.add(rule));
    if (demands.every((demand) => demand === 'any')) continue;
    const index = new FieldIndex(demands);
    const innerPath = compileFieldPath(inner);
    fields.push({
      read(record) {
        const values = payloadStrings(record, member, innerPath);
        return values.length === 0 ? undefined : JSON.stringify(values);
      },
      mark(key, allowed) {
        if (key === undefined) index.markCandidates(undefined, allowed);
        else for (const value of JSON.parse(key) as string[]) index.markCandidates(value, allowed);
      },
      classOf: new Map(),
    });
  }
  const unindexed = rules.filter((rule) => !constrains.has(rule));
  // The distinct rule sets a field's values let through, by their text (one byte per rule), and their ids.
  const classIds = new Map<string, number>();
  const classSets: Uint8Array[] = [];
  const memo = new Map<string, readonly CompiledRule[]>();
  let generation = 0;

  function classOfValue(field: IndexedField, value: string | undefined): number {
    const known = field.classOf.get(value);
    if (known !== undefined) return known;
    const allowed = new Uint8Array(rules.length);
    field.mark(value, allowed);
    const key = allowed.join('');
    let id = classIds.get(key);
    if (id === undefined) {
      if (classSets.length >= MEMO_LIMIT) forget();
      id = classSets.length;
      classIds.set(key, id);
      classSets.push(allowed);
    }
    // A long value (a payload's strings, a user agent) is seldom seen twice and would pin its text in a warm
    // container's memory: only short values are remembered.
    if (value !== undefined && value.length > MEMO_VALUE_LENGTH) return id;
    if (field.classOf.size >= MEMO_LIMIT) field.classOf.clear();
    field.classOf.set(value, id);
    return id;
  }

  /** Starts the memos afresh: ids are only meaningful within one generation. */
  function forget(): void {
    generation += 1;
    classIds.clear();
    classSets.length = 0;
    memo.clear();
    for (const field of fields) field.classOf.clear();
  }

  return {
    unindexed,
    candidatesFor(record) {
      if (!isJsonObject(record)) return undefined;
      if (fields.length === 0) return rules;
      const values = fields.map((field) => field.read(record));
      let ids: number[];
      let started: number;
      do {
        // Ids from before a reset of the memos mean nothing after it: compute them again (the memos are then small).
        started = generation;
        ids = fields.map((field, n) => classOfValue(field, values[n]));
      } while (started !== generation);
      const key = ids.join(',');
      const remembered = memo.get(key);
      if (remembered) return remembered;
      const candidates = rules.filter((_, position) => ids.every((id) => classSets[id]?.[position] === 1));
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(key, candidates);
      return candidates;
    },
  };
}

import { compileFieldPath, containsValue, isJsonObject, someValueAt, type FieldPath } from '../kql/document-access';
import type { ExceptionEntry, ExceptionItem, ExceptionList, NestedSubEntry } from './types';
import { wildcardPattern } from './wildcard-pattern';

/**
 * Elastic's exception semantics, evaluated against one ECS document:
 * - an item's entries are ANDed, a list's items (and several lists) are ORed;
 * - values compare case-sensitively and exactly (keyword fields); a number or boolean in the document matches the
 *   string of its JSON form (`200` matches "200");
 * - fields are read like the KQL engine does: dotted paths into nested objects, literal dotted keys, and a field
 *   holding an array matches when any element does;
 * - `excluded` negates the whole entry (`is not`, `is not one of`, `does not exist`, `does not match`), so it also
 *   holds when the field is missing;
 * - an item applies until its `expire_time`: at `now >= expire_time` it no longer does.
 */
export function matchesException(item: ExceptionItem, document: unknown, now: Date): boolean {
  if (isExpired(item, now)) return false;
  return item.entries.every((entry) => entryHolds(entry, document));
}

export interface ExceptionMatch {
  readonly list: ExceptionList;
  readonly item: ExceptionItem;
}

/** The first item (lists in order, items in order) that excepts the document, or undefined when none does. */
export function findMatchingException(lists: readonly ExceptionList[], document: unknown, now: Date): ExceptionMatch | undefined {
  for (const list of lists) {
    for (const item of list.items) {
      if (matchesException(item, document, now)) return { list, item };
    }
  }
  return undefined;
}

/** Whether the item's `expire_time` has been reached (an item that never expires never is). */
export function isExpired(item: Pick<ExceptionItem, 'expireAt'>, now: Date): boolean {
  return item.expireAt !== undefined && now.getTime() >= item.expireAt;
}

const paths = new Map<string, FieldPath>();

function pathOf(field: string): FieldPath {
  let path = paths.get(field);
  if (!path) {
    path = compileFieldPath(field);
    if (paths.size < 10_000) paths.set(field, path);
  }
  return path;
}

function entryHolds(entry: ExceptionEntry, document: unknown): boolean {
  if (entry.type === 'nested') {
    // Every inner entry must hold within one and the same object of the array at `field`.
    return someValueAt(document, pathOf(entry.field), (object) =>
      isJsonObject(object) && entry.entries.every((inner) => entryHolds(inner, object)),
    );
  }
  const found = positiveHolds(entry, document);
  return entry.operator === 'excluded' ? !found : found;
}

function positiveHolds(entry: Exclude<ExceptionEntry, { type: 'nested' }> | NestedSubEntry, document: unknown): boolean {
  const path = pathOf(entry.field);
  switch (entry.type) {
    case 'exists':
      return someValueAt(document, path, (value) => !isJsonObject(value) || containsValue(value));
    case 'match':
      return someValueAt(document, path, (value) => scalarText(value) === entry.value);
    case 'match_any': {
      const wanted = new Set(entry.value);
      return someValueAt(document, path, (value) => {
        const text = scalarText(value);
        return text !== undefined && wanted.has(text);
      });
    }
    case 'wildcard': {
      const pattern = wildcardPattern(entry.value);
      return someValueAt(document, path, (value) => {
        const text = scalarText(value);
        return text !== undefined && pattern.test(text);
      });
    }
  }
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

import { isJsonObject, JsonObject } from './json-values';

/**
 * Deeper structures are cut off here. Elasticsearch's JSON parser refuses documents nested deeper
 * than 1000 levels, and the cap keeps every recursive step of the normalizer far from the JS stack limit.
 */
export const MAX_NESTING_DEPTH = 1000;

/**
 * The key list each cleaned object had before null removal. Java's HashMap keeps its table size when
 * entries are removed, so key order in `Map.toString()` depends on every key that was ever inserted.
 */
const keysBeforeRemoval = new WeakMap<object, readonly string[]>();

export function originalKeysOf(cleaned: JsonObject): readonly string[] {
  return keysBeforeRemoval.get(cleaned) ?? Object.keys(cleaned);
}

/** JSON.parse makes `__proto__` an ordinary member; plain assignment would change the copy's prototype instead. */
function setOwnMember(target: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function isRemovedScalar(value: unknown): boolean {
  return value === null || value === undefined || value === '' || value === '-' || value === 'none';
}

/**
 * The pipeline's first null-removal pass: drops null, "", "-", "none" and maps/lists that end up
 * empty, recursively, and returns a fresh copy (the input record is never mutated).
 * Returns undefined when the value itself is removed.
 * `rememberKeys` records pre-removal key lists for the payload maps that get stringified later.
 */
export function removeEmptyValues(value: unknown, rememberKeys = false, depth = 0): unknown {
  if (isRemovedScalar(value)) return undefined;
  if (typeof value !== 'object') return value;
  if (depth >= MAX_NESTING_DEPTH) return undefined;
  if (Array.isArray(value)) {
    const kept: unknown[] = [];
    for (const element of value) {
      const cleaned = removeEmptyValues(element, rememberKeys, depth + 1);
      if (cleaned !== undefined) kept.push(cleaned);
    }
    return kept.length > 0 ? kept : undefined;
  }
  const source = value as JsonObject;
  const keys = Object.keys(source);
  const result: JsonObject = {};
  let keptCount = 0;
  for (const key of keys) {
    const cleaned = removeEmptyValues(source[key], rememberKeys, depth + 1);
    if (cleaned !== undefined) {
      setOwnMember(result, key, cleaned);
      keptCount++;
    }
  }
  if (keptCount === 0) return undefined;
  if (rememberKeys && keptCount !== keys.length) keysBeforeRemoval.set(result, keys);
  return result;
}

/** Top-level variant: payload members keep their pre-removal key lists for HashMap emulation. */
export function removeEmptyValuesFromRecord(record: JsonObject, payloadKeys: ReadonlySet<string>): JsonObject {
  const result: JsonObject = {};
  for (const key of Object.keys(record)) {
    const cleaned = removeEmptyValues(record[key], payloadKeys.has(key), 1);
    if (cleaned !== undefined) setOwnMember(result, key, cleaned);
  }
  return result;
}

/** The pipeline's second pass semantics, for values we are about to write: null, "" and empty containers vanish. */
export function isEmptyOutputValue(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isJsonObject(value)) {
    for (const key in value) if (Object.prototype.hasOwnProperty.call(value, key)) return false;
    return true;
  }
  return false;
}

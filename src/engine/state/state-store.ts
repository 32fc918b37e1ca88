/**
 * The state port: a small versioned key-value store with compare-and-set and expiry. The engine's stateful logic
 * (new_terms, threshold, and later EQL sequences) reads and writes through it and never sees the store behind it:
 * DynamoDB in the Lambda (src/dynamodb/), memory in `scan` (memory-state-store.ts). docs/stateful-rules.md.
 */

/** What a state value may hold: plain JSON, so every store can keep it as text. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export interface StoredState {
  readonly value: JsonValue;
  /** Changes with every write; the `expectedVersion` of the next compare-and-set. */
  readonly version: number;
}

/** The condition under which `put` writes: the version read is still current, or there is (still) no state. */
export type WriteCondition = { readonly expectedVersion: number } | { readonly mustNotExist: true };

export type WriteResult = { readonly written: true; readonly version: number } | { readonly written: false };

export interface StateStore {
  /**
   * The current state of `key`, read consistently (a write that returned `written` is always seen), or undefined
   * when there is none or it has expired (an expired state is never returned, whether or not it is deleted yet).
   */
  get(key: string): Promise<StoredState | undefined>;
  /**
   * Writes `value` if `condition` holds, atomically: `{ written: false }` when another writer got there first (read
   * again and decide again). `expiresAt` (epoch milliseconds) is when the state may be forgotten; an expired state
   * counts as absent for `mustNotExist`. Errors of the store itself (throttling after retries, unavailability) throw.
   */
  put(key: string, value: JsonValue, condition: WriteCondition, expiresAt: number): Promise<WriteResult>;
}

/** Keys are at most this long (DynamoDB allows 2,048 bytes for a partition key; keys here are ASCII). */
export const MAX_STATE_KEY_LENGTH = 1024;

/**
 * A state value is refused beyond this many bytes of JSON: a DynamoDB item holds at most 400 KB with its key and
 * attributes. The reducers cap their own state far below (docs/stateful-rules.md), so this is a guard, not a limit
 * anyone should meet.
 */
export const MAX_STATE_BYTES = 350 * 1024;

/** A key or value a store must not take: a bug in the caller, never an input problem. */
export class StateValueError extends Error {
  override readonly name = 'StateValueError';
}

/** Checks a key and returns the value as JSON text, refusing what no store could keep. */
export function encodeState(key: string, value: JsonValue): string {
  if (key.length === 0 || key.length > MAX_STATE_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
    throw new StateValueError(`state key ${JSON.stringify(key.slice(0, 80))} must be 1 to ${MAX_STATE_KEY_LENGTH} printable ASCII characters`);
  }
  const text = JSON.stringify(value);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_STATE_BYTES) {
    throw new StateValueError(`state of ${key} would take ${bytes} bytes, more than the ${MAX_STATE_BYTES} a state item may hold`);
  }
  return text;
}

/**
 * Expiry is kept in whole seconds (DynamoDB's TTL attribute is epoch seconds), rounded up so that state is never
 * forgotten before its time; every store rounds the same way, so they expire the same state at the same moment.
 */
export function expiresAtSeconds(expiresAtMs: number): number {
  return Math.ceil(expiresAtMs / 1000);
}

import type { JsonValue, StateStore } from './state-store';

/**
 * What a reducer decides for one input: the state to store (none when nothing changed, so nothing is written) and
 * its output. Reducers are pure: the same state and input always give the same reduction.
 */
export interface Reduction<S, O> {
  /** The new state; absent when the stored state stays as it is. */
  readonly next?: S;
  /** With `next`: when the new state may be forgotten (epoch ms, from event times; docs/stateful-rules.md). */
  readonly expiresAt?: number;
  readonly output: O;
}

/**
 * A pure state machine over JSON state: `decode` checks what the store holds (throwing a `StateFormatError` for
 * anything else), `reduce` applies one input. New_terms, threshold and EQL sequences are each one of these.
 */
export interface StateMachine<S extends JsonValue, I, O> {
  /** For error messages, e.g. `new_terms`. */
  readonly name: string;
  decode(stored: JsonValue): S;
  reduce(state: S | undefined, input: I): Reduction<S, O>;
}

/** What a store holds under a key is not state of the expected kind (edited by hand, or another version's format). */
export class StateFormatError extends Error {
  override readonly name = 'StateFormatError';
}

/**
 * Many writers kept changing the key between our read and our write. Retryable: in the Lambda the invocation fails
 * and is retried, by which time the contention is over.
 */
export class StateContentionError extends Error {
  override readonly name = 'StateContentionError';
  readonly retryable = true;
}

export const DEFAULT_MAX_ATTEMPTS = 12;

/**
 * Applies `input` to the state at `key` with optimistic concurrency: read, reduce, compare-and-set; when another
 * writer changed the state in between, read and reduce again on what it wrote. So concurrent writers see one
 * order of inputs, and each output (an alert, say) is decided on the state it was actually applied to.
 */
export async function applyReducer<S extends JsonValue, I, O>(
  store: StateStore,
  key: string,
  machine: StateMachine<S, I, O>,
  input: I,
  maxAttempts = DEFAULT_MAX_ATTEMPTS,
): Promise<O> {
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const stored = await store.get(key);
    let state: S | undefined;
    try {
      state = stored === undefined ? undefined : machine.decode(stored.value);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new StateFormatError(`the ${machine.name} state stored at ${key} cannot be read (${reason}); delete the item to start this key afresh`);
    }
    const reduction = machine.reduce(state, input);
    if (reduction.next === undefined) return reduction.output;
    if (reduction.expiresAt === undefined || !Number.isFinite(reduction.expiresAt)) {
      throw new Error(`the ${machine.name} reducer returned a state for ${key} without a finite expiresAt`);
    }
    const written = await store.put(
      key,
      reduction.next,
      stored === undefined ? { mustNotExist: true } : { expectedVersion: stored.version },
      reduction.expiresAt,
    );
    if (written.written) return reduction.output;
  }
  throw new StateContentionError(`the ${machine.name} state at ${key} changed under us ${maxAttempts} times in a row; retry later`);
}

import { encodeState, expiresAtSeconds, type JsonValue, type StateStore, type StoredState, type WriteCondition, type WriteResult } from './state-store';

interface Entry {
  readonly value: JsonValue;
  readonly version: number;
  readonly expiresAt: number;
}

/** One line of a saved state (`scan --state-out`): the key, its value, version and expiry. */
export interface StateSnapshotEntry {
  readonly key: string;
  readonly value: JsonValue;
  readonly version: number;
  readonly expiresAt: number;
}

/** Event time: how far the events seen so far have gone, and with that what has expired. */
const SWEEP_EVERY_MS = 3_600_000;

/**
 * The state store of `scan`: a map in memory, with the same conditions as the DynamoDB store. Its clock is event
 * time, not the wall clock: `observe(t)` moves it to the newest event time seen, and state whose `expiresAt` is
 * not after it is gone (dropped by a sweep at most every hour of event time, and never returned before that). So
 * memory holds what the rules' windows still need, however long the trail.
 *
 * Values are kept as given, not copied: reducers return new state and never change what they read.
 */
export class MemoryStateStore implements StateStore {
  private readonly entries = new Map<string, Entry>();
  private clock = Number.NEGATIVE_INFINITY;
  private nextSweep = Number.NEGATIVE_INFINITY;

  /** The newest event time observed (epoch ms), or -Infinity before the first. */
  get now(): number {
    return this.clock;
  }

  /** Keys held, expired or not yet swept. */
  get size(): number {
    return this.entries.size;
  }

  /** Moves the clock to `eventTime` if it is newer; sweeps expired state when the clock has moved far enough. */
  observe(eventTime: number): void {
    if (!(eventTime > this.clock)) return;
    this.clock = eventTime;
    if (eventTime >= this.nextSweep) {
      for (const [key, entry] of this.entries) if (entry.expiresAt <= eventTime) this.entries.delete(key);
      this.nextSweep = eventTime + SWEEP_EVERY_MS;
    }
  }

  async get(key: string): Promise<StoredState | undefined> {
    const entry = this.live(key);
    return entry && { value: entry.value, version: entry.version };
  }

  async put(key: string, value: JsonValue, condition: WriteCondition, expiresAt: number): Promise<WriteResult> {
    encodeState(key, value);
    const current = this.entries.get(key);
    const live = this.live(key);
    if ('mustNotExist' in condition ? live !== undefined : live?.version !== condition.expectedVersion) return { written: false };
    // Versions keep counting over an expired entry, so a writer that read the old one can never match the new one.
    const version = (current?.version ?? 0) + 1;
    this.entries.set(key, { value, version, expiresAt: expiresAtSeconds(expiresAt) * 1000 });
    return { written: true, version };
  }

  /** Everything still live, for `scan --state-out`. */
  snapshot(): { readonly clock: number; readonly entries: StateSnapshotEntry[] } {
    const entries: StateSnapshotEntry[] = [];
    for (const [key, entry] of this.entries) if (entry.expiresAt > this.clock) entries.push({ key, ...entry });
    return { clock: this.clock, entries };
  }

  /** Loads a snapshot (`scan --state-in`); entries already held are replaced. */
  restore(snapshot: { readonly clock: number; readonly entries: readonly StateSnapshotEntry[] }): void {
    for (const { key, value, version, expiresAt } of snapshot.entries) {
      encodeState(key, value);
      this.entries.set(key, { value, version, expiresAt });
    }
    this.observe(snapshot.clock);
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    return entry !== undefined && entry.expiresAt > this.clock ? entry : undefined;
  }
}

/**
 * `sequence` queries as a pure, deterministic state machine over events in time order, with the state of each
 * join key a plain JSON value (so it can live in DynamoDB or in memory). It reproduces Elasticsearch's
 * SequenceMatcher (see docs/eql.md):
 *
 * - an event matching the first stage starts a sequence; an event matching stage k takes, among the sequences of
 *   its key waiting at stage k-1, the latest one that is strictly before it (timestamp, then tiebreaker, then
 *   arrival), and discards the older ones; with `maxspan`, a take that is too far from the sequence's first
 *   event is discarded too; events are offered to the later stages first, so one event never fills two stages
 *   of the same sequence;
 * - an `until` event of the key ends every sequence of that key still in progress (complete ones stay);
 * - a missing-event stage `![…]` between two stages discards a completed sequence when such an event (same key)
 *   fell strictly between the two stages' timestamps; leading and trailing missing stages look for such an event
 *   before the first / after the last stage and keep the sequence unless one is found within maxspan, with
 *   Elasticsearch's exact rule (a completed sequence may therefore wait for its trailing window to pass);
 * - `with runs=N` is N consecutive copies of the stage.
 *
 * Events must be offered in time order per key (the batch runner sorts them; a stream should be close to it):
 * with that, only the latest sequence per key and stage can ever be taken, so the state keeps at most that one
 * and stays small. A late event is still matched against what the state kept.
 */
import type { EqlField, EqlSequenceQuery, EqlSequenceStage } from './ast';
import { compileEventFilter, ConditionCompiler, type EqlCompileOptions, type EqlPredicate } from './compile-condition';
import { collectScalars, type FieldPath, fieldPath } from './document-values';
import { compareCodePoints } from '../kql/value-matchers';
import type { Scalar } from './values';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A join-key value: a field value, or null for an optional key field without one. */
export type KeyValue = Scalar | null;

/** An event offered to the matcher. */
export interface SequenceEvent {
  /** Epoch milliseconds of the event's timestamp. */
  readonly timestamp: number;
  /** Orders events with the same timestamp (the EQL tiebreaker field); arrival order breaks the remaining ties. */
  readonly tiebreaker?: string | number;
  /** What a match reports for this event (its id, or the document): it is stored in the state, keep it small. */
  readonly ref: JsonValue;
}

/** One join key an event belongs to, and which stages it matches under that key. Computed without any state. */
export interface SequenceRoute {
  /** `JSON.stringify(key)`: the storage key of this key's state. */
  readonly keyId: string;
  readonly key: readonly KeyValue[];
  /** Indexes into `SequenceMatcher.stages` (runs expanded, missing stages included), ascending. */
  readonly stages: readonly number[];
  /** The event matches the `until` stage under this key. */
  readonly until: boolean;
}

/** `[timestamp, tiebreaker, arrival]`: the order of events within a key. */
export type Ordinal = [number, string | number | null, number];

export interface MatchedEvent {
  readonly ordinal: Ordinal;
  readonly ref: JsonValue;
}

export interface SequenceMatch {
  readonly key: KeyValue[];
  /** One entry per stage (runs expanded), in order; null where the stage is a missing event. */
  readonly events: (MatchedEvent | null)[];
  /** The ordinal of its last event: Elasticsearch returns sequences in this order. */
  readonly ordinal: Ordinal;
}

/** A sequence in progress: the events of its positive stages so far. */
interface InFlight {
  readonly events: MatchedEvent[];
  /** Timestamp of the latest leading missing event before the first event (null: none). */
  readonly leading: number | null;
  /** Timestamp of the first missing event seen in the gap after the last event, if that gap has missing stages. */
  missingAt?: number;
  /** A missing event was found in an earlier gap: the sequence can still take stages (and shadow others) but never completes. */
  doomed?: true;
}

/** A complete sequence waiting to see whether a trailing missing event follows it within maxspan. */
interface Pending {
  readonly events: MatchedEvent[];
  readonly leading: number | null;
}

/** The state of one join key. JSON; `step` never modifies the state it is given. */
export interface SequenceKeyState {
  readonly version: 1;
  readonly key: KeyValue[];
  /** Events seen under this key (the arrival tiebreaker). */
  arrivals: number;
  /** Ordinal of the latest event seen under this key. */
  watermark: Ordinal;
  /** `waiting[p]`: sequences whose positive stage p is their latest, oldest first (at most one after pruning). */
  waiting: InFlight[][];
  /** Timestamps of leading missing-stage events still relevant. */
  leading: number[];
  pending: Pending[];
}

export interface StepResult {
  /** The new state; undefined when nothing is left to remember for this key. */
  readonly state: SequenceKeyState | undefined;
  /** Sequences completed by this step, in the order Elasticsearch would return them. */
  readonly matches: SequenceMatch[];
}

export interface ExpandedStage {
  readonly missing: boolean;
  /** The stage as written (several expanded stages share one with `runs`). */
  readonly source: EqlSequenceStage;
}

export interface SequenceMatcher {
  readonly query: EqlSequenceQuery;
  /** The options the stages were compiled with. */
  readonly options: EqlCompileOptions;
  /** The stages with runs expanded. */
  readonly stages: readonly ExpandedStage[];
  readonly maxspanMilliseconds: number | undefined;
  /** Which join keys the event belongs to and which stages it matches under each (empty: irrelevant). */
  route(document: unknown): SequenceRoute[];
  /** Offers one routed event to the state of its key. */
  step(state: SequenceKeyState | undefined, route: SequenceRoute, event: SequenceEvent): StepResult;
  /**
   * Lets time pass without an event: releases complete sequences whose trailing missing-event window has closed
   * and forgets sequences that can no longer complete within maxspan. `now` must be a time no event of this key
   * can come before any more (a watermark), not merely the wall clock.
   */
  advance(state: SequenceKeyState | undefined, now: number): StepResult;
  /** Ends the stream: releases every complete sequence still waiting for its trailing window. */
  flush(state: SequenceKeyState | undefined): SequenceMatch[];
  /** The time after which `advance` leaves nothing of this state; undefined when it never expires (no maxspan). */
  expiresAt(state: SequenceKeyState): number | undefined;
}

export function createSequenceMatcher(query: EqlSequenceQuery, options: EqlCompileOptions = {}): SequenceMatcher {
  return new Matcher(query, options);
}

export function compareOrdinals(a: Ordinal, b: Ordinal): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  const order = compareTiebreakers(a[1], b[1]);
  if (order !== 0) return order;
  return a[2] - b[2];
}

function compareTiebreakers(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : 1;
  return compareCodePoints(String(a), String(b));
}

interface KeyField {
  readonly path: FieldPath | undefined;
  readonly optional: boolean;
}

interface StageRouting {
  readonly matches: EqlPredicate;
  readonly keys: readonly KeyField[];
  /** Expanded stage indexes this written stage stands for. */
  readonly expanded: readonly number[];
}

class Matcher implements SequenceMatcher {
  readonly stages: ExpandedStage[] = [];
  readonly maxspanMilliseconds: number | undefined;
  /** Expanded indexes of the positive (non-missing) stages. */
  private readonly positives: number[] = [];
  /** For each expanded stage: its positive index, or -1 for a missing stage. */
  private readonly positiveIndex: number[] = [];
  /** For each expanded missing stage: 'leading', 'trailing', or the positive index before it. */
  private readonly gapOf: ('leading' | 'trailing' | number)[] = [];
  private readonly hasLeading: boolean;
  private readonly hasTrailing: boolean;
  /** Positive indexes p whose following gap has missing stages. */
  private readonly gapAfter = new Set<number>();
  private readonly routing: StageRouting[] = [];
  private readonly untilRouting: StageRouting | undefined;

  constructor(
    readonly query: EqlSequenceQuery,
    readonly options: EqlCompileOptions,
  ) {
    this.maxspanMilliseconds = query.maxspan?.milliseconds;
    for (const stage of query.stages) {
      const expanded: number[] = [];
      for (let run = 0; run < stage.runs; run++) {
        expanded.push(this.stages.length);
        this.stages.push({ missing: stage.missing, source: stage });
      }
      this.routing.push(this.stageRouting(stage, expanded, options));
    }
    this.stages.forEach((stage, index) => {
      this.positiveIndex.push(stage.missing ? -1 : this.positives.length);
      if (!stage.missing) this.positives.push(index);
    });
    const first = this.positives[0];
    const last = this.positives[this.positives.length - 1];
    this.stages.forEach((stage, index) => {
      if (!stage.missing) {
        this.gapOf.push('trailing');
        return;
      }
      if (index < first) this.gapOf.push('leading');
      else if (index > last) this.gapOf.push('trailing');
      else {
        const before = this.positiveIndex[this.positives.filter((positive) => positive < index).pop() as number];
        this.gapOf.push(before);
        this.gapAfter.add(before);
      }
    });
    this.hasLeading = first > 0;
    this.hasTrailing = last < this.stages.length - 1;
    this.untilRouting = query.until ? this.stageRouting(query.until, [], options) : undefined;
  }

  private stageRouting(stage: EqlSequenceStage, expanded: number[], options: EqlCompileOptions): StageRouting {
    const compiler = new ConditionCompiler(options);
    const keyField = (field: EqlField): KeyField => ({ path: compiler.isAbsentField(field) ? undefined : fieldPath(field.name), optional: field.optional });
    return {
      matches: compileEventFilter(stage.filter, options),
      keys: [...this.query.by, ...stage.by].map(keyField),
      expanded,
    };
  }

  route(document: unknown): SequenceRoute[] {
    const byKey = new Map<string, { key: KeyValue[]; stages: number[]; until: boolean }>();
    const visit = (routing: StageRouting, until: boolean) => {
      if (!routing.matches(document)) return;
      for (const key of joinKeys(document, routing.keys)) {
        const keyId = JSON.stringify(key);
        let entry = byKey.get(keyId);
        if (!entry) byKey.set(keyId, (entry = { key, stages: [], until: false }));
        if (until) entry.until = true;
        else entry.stages.push(...routing.expanded);
      }
    };
    for (const routing of this.routing) visit(routing, false);
    if (this.untilRouting) visit(this.untilRouting, true);
    return [...byKey].map(([keyId, entry]) => ({ keyId, key: entry.key, stages: entry.stages.sort((a, b) => a - b), until: entry.until }));
  }

  step(previous: SequenceKeyState | undefined, route: SequenceRoute, event: SequenceEvent): StepResult {
    if (!Number.isFinite(event.timestamp)) throw new TypeError(`a sequence event needs a finite timestamp in epoch milliseconds, got ${String(event.timestamp)}`);
    const ordinal: Ordinal = [event.timestamp, event.tiebreaker ?? null, previous?.arrivals ?? 0];
    const state: SequenceKeyState = previous ? structuredClone(previous) : this.emptyState(route.key, ordinal);
    state.arrivals += 1;
    if (compareOrdinals(ordinal, state.watermark) > 0) state.watermark = ordinal;
    const matched: MatchedEvent = { ordinal, ref: event.ref };
    const completed: SequenceMatch[] = [];

    // Later stages first, so the sequences this event creates or moves are not offered the same event again.
    for (const stage of [...route.stages].reverse()) {
      const positive = this.positiveIndex[stage];
      if (positive >= 0) this.advanceStage(state, positive, matched, route.key, completed);
    }
    for (const stage of route.stages) {
      if (this.positiveIndex[stage] < 0) this.noteMissingEvent(state, this.gapOf[stage], event.timestamp, route.key, completed);
    }
    if (route.until) state.waiting = state.waiting.map(() => []);
    this.release(state, state.watermark[0], route.key, completed, false);
    this.prune(state);
    return { state: this.isEmpty(state) ? undefined : state, matches: completed.sort((a, b) => compareOrdinals(a.ordinal, b.ordinal)) };
  }

  advance(previous: SequenceKeyState | undefined, now: number): StepResult {
    if (!previous) return { state: undefined, matches: [] };
    const state = structuredClone(previous);
    const completed: SequenceMatch[] = [];
    this.release(state, now, state.key, completed, false);
    if (this.maxspanMilliseconds !== undefined) {
      const maxspan = this.maxspanMilliseconds;
      state.waiting = state.waiting.map((group) => group.filter((sequence) => now - sequence.events[0].ordinal[0] <= maxspan));
      state.leading = state.leading.filter((timestamp) => now - timestamp <= maxspan);
    }
    return { state: this.isEmpty(state) ? undefined : state, matches: completed };
  }

  flush(previous: SequenceKeyState | undefined): SequenceMatch[] {
    if (!previous) return [];
    const completed: SequenceMatch[] = [];
    this.release(structuredClone(previous), Infinity, previous.key, completed, true);
    return completed;
  }

  expiresAt(state: SequenceKeyState): number | undefined {
    const maxspan = this.maxspanMilliseconds;
    if (maxspan === undefined) return undefined;
    const starts = [
      ...state.waiting.flat().map((sequence) => sequence.events[0].ordinal[0]),
      ...state.pending.map((sequence) => this.trailingReference(sequence)),
      ...state.leading,
    ];
    return starts.length === 0 ? undefined : Math.max(...starts) + maxspan;
  }

  private emptyState(key: readonly KeyValue[], first: Ordinal): SequenceKeyState {
    return { version: 1, key: [...key], arrivals: 0, watermark: first, waiting: this.positives.slice(0, -1).map(() => []), leading: [], pending: [] };
  }

  private isEmpty(state: SequenceKeyState): boolean {
    return state.waiting.every((group) => group.length === 0) && state.leading.length === 0 && state.pending.length === 0;
  }

  private advanceStage(state: SequenceKeyState, positive: number, event: MatchedEvent, key: readonly KeyValue[], completed: SequenceMatch[]): void {
    let sequence: InFlight;
    if (positive === 0) {
      sequence = { events: [event], leading: this.hasLeading ? latestBefore(state.leading, event.ordinal[0]) : null };
    } else {
      const taken = takeLatestBefore(state.waiting[positive - 1], event.ordinal);
      if (!taken) return;
      if (this.maxspanMilliseconds !== undefined && event.ordinal[0] - taken.events[0].ordinal[0] > this.maxspanMilliseconds) return;
      const doomed = taken.doomed === true || (taken.missingAt !== undefined && taken.missingAt < event.ordinal[0]);
      sequence = { events: [...taken.events, event], leading: taken.leading, ...(doomed ? { doomed: true as const } : {}) };
    }
    if (positive === this.positives.length - 1) {
      this.complete(state, sequence, key, completed);
    } else {
      insertByOrdinal(state.waiting[positive], sequence);
    }
  }

  private complete(state: SequenceKeyState, sequence: InFlight, key: readonly KeyValue[], completed: SequenceMatch[]): void {
    if (sequence.doomed) return;
    const { leading } = sequence;
    if (!this.hasTrailing) {
      const last = sequence.events[sequence.events.length - 1].ordinal[0];
      if (!this.hasLeading || leading === null || this.exceedsMaxspan(leading, last)) completed.push(this.toMatch(sequence.events, key));
      return;
    }
    if (this.hasLeading && leading === null) {
      completed.push(this.toMatch(sequence.events, key));
      return;
    }
    state.pending.push({ events: sequence.events, leading });
  }

  /** A missing-stage event at `timestamp`: what it rules out depends on where the stage is. */
  private noteMissingEvent(state: SequenceKeyState, gap: 'leading' | 'trailing' | number, timestamp: number, key: readonly KeyValue[], completed: SequenceMatch[]): void {
    if (gap === 'leading') {
      if (!state.leading.includes(timestamp)) state.leading.push(timestamp);
      return;
    }
    if (gap === 'trailing') {
      state.pending = state.pending.filter((sequence) => {
        const last = sequence.events[sequence.events.length - 1].ordinal[0];
        if (timestamp <= last) return true;
        // The first trailing event after the sequence decides.
        if (this.exceedsMaxspan(this.trailingReference(sequence), timestamp)) completed.push(this.toMatch(sequence.events, key));
        return false;
      });
      return;
    }
    for (const sequence of state.waiting[gap]) {
      const last = sequence.events[sequence.events.length - 1].ordinal[0];
      if (last < timestamp && sequence.missingAt === undefined) sequence.missingAt = timestamp;
    }
  }

  /**
   * Releases pending sequences whose trailing window has closed by `now` (or all of them at the end of the
   * stream): no trailing event can come close enough any more, so they stand.
   */
  private release(state: SequenceKeyState, now: number, key: readonly KeyValue[], completed: SequenceMatch[], all: boolean): void {
    state.pending = state.pending.filter((sequence) => {
      if (!all && !this.exceedsMaxspan(this.trailingReference(sequence), now)) return true;
      completed.push(this.toMatch(sequence.events, key));
      return false;
    });
  }

  /** Where the trailing window is measured from: the latest leading event, or else the sequence's start. */
  private trailingReference(sequence: Pending): number {
    return this.hasLeading && sequence.leading !== null ? sequence.leading : sequence.events[0].ordinal[0];
  }

  private exceedsMaxspan(from: number, to: number): boolean {
    return this.maxspanMilliseconds !== undefined && to - from > this.maxspanMilliseconds;
  }

  /**
   * Keeps what a later event can still use (events arrive in order): per stage, the sequences the latest event
   * created plus the latest older one, unless it is out of maxspan; leading timestamps likewise.
   */
  private prune(state: SequenceKeyState): void {
    const now = state.watermark;
    const maxspan = this.maxspanMilliseconds;
    state.waiting = state.waiting.map((group) => {
      const current = group.filter((sequence) => compareOrdinals(lastOrdinal(sequence), now) >= 0);
      if (current.length > 0) return current;
      const latest = group[group.length - 1];
      if (!latest || (maxspan !== undefined && now[0] - latest.events[0].ordinal[0] > maxspan)) return [];
      return [latest];
    });
    const older = state.leading.filter((timestamp) => timestamp < now[0]);
    const latestOlder = older.length > 0 ? Math.max(...older) : undefined;
    state.leading = state.leading.filter(
      (timestamp) => (timestamp >= now[0] || timestamp === latestOlder) && (maxspan === undefined || now[0] - timestamp <= maxspan),
    );
  }

  private toMatch(events: readonly MatchedEvent[], key: readonly KeyValue[]): SequenceMatch {
    let next = 0;
    const all = this.stages.map((stage) => (stage.missing ? null : events[next++]));
    return { key: [...key], events: all, ordinal: events[events.length - 1].ordinal };
  }
}

function lastOrdinal(sequence: InFlight): Ordinal {
  return sequence.events[sequence.events.length - 1].ordinal;
}

/** Removes and returns the latest sequence strictly before `ordinal`, discarding the ones before it too. */
function takeLatestBefore(group: InFlight[], ordinal: Ordinal): InFlight | undefined {
  let found = -1;
  for (let i = 0; i < group.length && compareOrdinals(lastOrdinal(group[i]), ordinal) < 0; i++) found = i;
  if (found < 0) return undefined;
  return group.splice(0, found + 1)[found];
}

function insertByOrdinal(group: InFlight[], sequence: InFlight): void {
  let at = group.length;
  while (at > 0 && compareOrdinals(lastOrdinal(group[at - 1]), lastOrdinal(sequence)) > 0) at -= 1;
  group.splice(at, 0, sequence);
}

function latestBefore(timestamps: readonly number[], limit: number): number | null {
  let latest: number | null = null;
  for (const timestamp of timestamps) if (timestamp < limit && (latest === null || timestamp > latest)) latest = timestamp;
  return latest;
}

/**
 * Every join key of an event for a stage: the product of each key field's distinct values, sorted as doc values
 * are. A required key field without a value keeps the event out of the stage; an optional one contributes null.
 */
export function joinKeys(document: unknown, fields: readonly KeyField[]): KeyValue[][] {
  let keys: KeyValue[][] = [[]];
  const buffer: Scalar[] = [];
  for (const field of fields) {
    const values = field.path ? distinctSorted(collectScalars(document, field.path, buffer)) : [];
    if (values.length === 0 && !field.optional) return [];
    const choices: KeyValue[] = values.length > 0 ? values : [null];
    keys = keys.flatMap((prefix) => choices.map((value) => [...prefix, value]));
  }
  return keys;
}

const TYPE_RANK: Readonly<Record<string, number>> = { boolean: 0, number: 1, string: 2 };

function distinctSorted(values: readonly Scalar[]): Scalar[] {
  const unique = [...new Set(values)];
  return unique.sort((a, b) => {
    if (typeof a !== typeof b) return TYPE_RANK[typeof a] - TYPE_RANK[typeof b];
    if (typeof a === 'string') return compareCodePoints(a, b as string);
    return Number(a) - Number(b);
  });
}

import type { KeyValue, SequenceMatcher, SequenceKeyState, SequenceMatch } from '../eql/sequence';
import { compareOrdinals, type Ordinal } from '../eql/sequence';
import type { Reduction, StateMachine } from '../state/apply-reducer';
import type { JsonValue } from '../state/state-store';
import { compactEventId, shortHash } from './state-keys';

/**
 * The state of one EQL `sequence` rule for one join key (the `by` values, then the stage's own): the key's recent
 * events, and the sequences already alerted. docs/stateful-rules.md, "EQL sequences".
 *
 * The answer, for a stream: after each event, the sequences Elasticsearch's EQL search would return over the events
 * of the key processed so far (in timestamp order, then tiebreaker, then arrival; `createSequenceMatcher`), and an
 * alert for each sequence not alerted before. For events in time order that is exactly the search over the whole
 * stream; an event processed late (at most the lateness allowance behind the newest of its key) is put in its place
 * and the key's events replayed, so a late first step still meets the second step that arrived before it. As with
 * Elastic's own rule, which searches again every few minutes and alerts each sequence it has not alerted before, a
 * late event can reveal a sequence the earlier events did not have: it is alerted too (and one alerted stays alerted).
 *
 * Why replay rather than the matcher's incremental state: the matcher keeps only what in-order events can use (the
 * latest sequence per stage), so a first step arriving after its second would be lost, and EventBridge does not
 * deliver a key's events in order. Replaying a few events per key is cheap, and the answer never depends on arrival
 * order within the allowance.
 *
 * What is kept: the events with a time within `horizon` of the newest (span + lateness, twice the span with
 * missing-event stages, which look back and ahead a span), each `[time, tiebreaker, arrival, event id, stages,
 * until]` and a summary of its fields for the alert (about 1 KB: identity, source, action); an event that can only
 * be the last step keeps just its action (about 150 bytes in all), since a sequence it ends is almost always found
 * by that event itself, whose whole summary the alert then has. A busy key (a long-term key invoking a model many
 * times a second) therefore stays small. At most MAX_SEQUENCE_EVENTS (the oldest go first, counted in `dropped`).
 * The alerted sequences whose first event is within the horizon, by a digest of their events, so a replay never
 * alerts one twice; the most recent ones in full, so a retry of the event that found one raises the same alert again.
 */
export interface SequenceState {
  readonly [key: string]: JsonValue;
  readonly v: 1;
  /** The join key's values, for whoever reads the table (and the replay's route). */
  readonly key: readonly KeyValue[];
  /** Events taken so far: the arrival order that breaks ties between events of the same time and tiebreaker. */
  readonly arrivals: number;
  /** Sorted by (time, tiebreaker, arrival). */
  readonly events: readonly BufferedEvent[];
  /** The most recent alerted sequences in full (MAX_ALERTED): a retry of the event that found one raises it again. */
  readonly alerted: readonly FoundSequence[];
  /**
   * Every sequence alerted whose first event is still within the horizon, as `[digest of its event ids, time of its
   * first event]`: a replay finds them again, and must not alert them again. About 30 bytes each.
   */
  readonly seen: readonly (readonly [string, number])[];
  /** Events dropped to keep the key under MAX_SEQUENCE_EVENTS since the state was created. */
  readonly dropped: number;
}

/** A flat summary of an event's fields (`{"event.action": "InvokeModel"}`): what the alert shows of an earlier step. */
export type EventSummary = { readonly [field: string]: string | readonly string[] };

export interface BufferedEvent {
  readonly [key: string]: JsonValue;
  readonly id: string;
  /** Event time, epoch ms. */
  readonly t: number;
  readonly tb: string | number | null;
  /** Arrival number within the key. */
  readonly n: number;
  /** Expanded stage indexes the event matches (SequenceRoute.stages). */
  readonly s: readonly number[];
  /** 1: the event matches `until`. */
  readonly u: 0 | 1;
  /** 1: only the action is kept of its summary (it can only be the last step). */
  readonly p: 0 | 1;
  readonly d: EventSummary;
}

/** One step of a found sequence. */
export interface SequenceStep {
  readonly [key: string]: JsonValue;
  readonly id: string;
  readonly time: number;
  readonly summary: EventSummary;
  /** Only the action is known (a last step kept before the sequence was found by a late earlier step). */
  readonly partial: boolean;
}

export interface FoundSequence {
  readonly [key: string]: JsonValue;
  /** One entry per expanded stage, in order; null for a missing-event stage. */
  readonly steps: readonly (SequenceStep | null)[];
  /** The event whose processing found it: a retry of that event raises the same alert again. */
  readonly foundBy: string;
}

export interface SequenceInput {
  readonly eventId: string;
  readonly time: number;
  readonly tiebreaker: string | number | null;
  readonly key: readonly KeyValue[];
  readonly stages: readonly number[];
  readonly until: boolean;
  readonly summary: EventSummary;
  /** How far back the key's events must reach besides the lateness: maxspan, or the rule's lookback without one. */
  readonly spanMs: number;
  readonly latenessMs: number;
}

export interface SequenceOutput {
  /** Sequences to alert: new ones, or for a retry of the event that found them, the same ones again. */
  readonly sequences: readonly FoundSequence[];
  readonly repeated: boolean;
}

/** The most events a key keeps (see SequenceState). */
export const MAX_SEQUENCE_EVENTS = 100;
/** What a last-step-only event keeps of its summary. */
const PARTIAL_SUMMARY_FIELDS = ['event.action', 'event.provider'];
/** The most recent alerted sequences a key keeps in full, for retries of the events that found them. */
const MAX_ALERTED = 8;
/** The most alerted sequences a key remembers by digest (far more than its events can make within the horizon). */
const MAX_SEEN = 1000;
/**
 * The most bytes of events and alerted sequences a key's state holds (JSON, UTF-8): well under the 350 KB a state
 * item may take (MAX_STATE_BYTES, for DynamoDB's 400 KB item), whatever the summaries hold.
 */
export const MAX_SEQUENCE_STATE_BYTES = 256 * 1024;

/** A state machine for one sequence rule: the matcher is the rule's query (createSequenceMatcher). */
export function sequenceMachine(matcher: SequenceMatcher): StateMachine<SequenceState, SequenceInput, SequenceOutput> {
  const shape: MatcherShape = {
    missingStages: matcher.stages.some((stage) => stage.missing),
    lastStage: matcher.stages.reduce((last, stage, index) => (stage.missing ? last : index), -1),
  };
  return {
    name: 'sequence',
    decode: decodeSequenceState,
    reduce: (state, input) => reduceSequence(matcher, shape, state, input),
  };
}

interface MatcherShape {
  readonly missingStages: boolean;
  /** Expanded index of the last positive stage. */
  readonly lastStage: number;
}

/** How far behind the newest event a key keeps events, and how long after it the key is needed. */
export function sequenceHorizonMs(spanMs: number, latenessMs: number, missingStages: boolean): number {
  return (missingStages ? 2 : 1) * spanMs + latenessMs;
}

function reduceSequence(
  matcher: SequenceMatcher,
  { missingStages, lastStage }: MatcherShape,
  state: SequenceState | undefined,
  input: SequenceInput,
): Reduction<SequenceState, SequenceOutput> {
  const eventId = compactEventId(input.eventId);
  const events = state?.events ?? [];
  const alerted = state?.alerted ?? [];
  // A redelivery (or a retry after the state was written): never taken twice; what it found is raised again.
  if (events.some((event) => event.id === eventId) || alerted.some((found) => found.foundBy === eventId)) {
    return { output: { sequences: alerted.filter((found) => found.foundBy === eventId), repeated: true } };
  }
  const horizon = sequenceHorizonMs(input.spanMs, input.latenessMs, missingStages);
  const stepHorizon = sequenceHorizonMs(input.spanMs, input.latenessMs, false);
  const previousNewest = events.length > 0 ? Math.max(...events.map((event) => event.t)) : input.time;
  const newest = Math.max(input.time, previousNewest);
  const cutoff = newest - horizon;
  const nothing = { output: { sequences: [], repeated: false } };
  // Later than the key can still place it: its partners are gone.
  if (input.time < cutoff) return nothing;

  const arrival = state?.arrivals ?? 0;
  const lastStepOnly = !input.until && input.stages.every((stage) => stage === lastStage);
  const added: BufferedEvent = {
    id: eventId,
    t: input.time,
    tb: input.tiebreaker,
    n: arrival,
    s: [...input.stages],
    u: input.until ? 1 : 0,
    d: lastStepOnly ? partialSummary(input.summary) : input.summary,
    p: lastStepOnly ? 1 : 0,
  };
  // The replay sees what the last one saw, and this event: the events were kept for the newest event before this one
  // (a complete sequence waiting for its trailing window is released by whatever event comes next, however late).
  const all = insertByOrdinal(events, added);
  const key = state?.key ?? input.key;
  const known = new Set((state?.seen ?? []).map(([digest]) => digest));
  const found = replay(matcher, key, all, previousNewest - stepHorizon)
    .map((match) => toFound(match, all, added, input.summary))
    .filter((sequence) => !known.has(sequenceDigest(sequence)));
  const seen = [...(state?.seen ?? []), ...found.map((sequence) => [sequenceDigest(sequence), firstTime(sequence)] as const)]
    .filter(([, time]) => time >= newest - stepHorizon)
    .slice(-MAX_SEEN);
  let remembered = [...alerted, ...found].filter((sequence) => firstTime(sequence) >= newest - stepHorizon).slice(-MAX_ALERTED);
  // Kept for the next event: an event more than a span and the allowance behind the newest is in no sequence with an
  // event still to come; with missing-event stages, another span back for what they say (a leading one looks back).
  let kept = all.filter((event) => event.t >= cutoff);
  let dropped = state?.dropped ?? 0;
  if (kept.length > MAX_SEQUENCE_EVENTS) {
    dropped += kept.length - MAX_SEQUENCE_EVENTS;
    kept = kept.slice(kept.length - MAX_SEQUENCE_EVENTS);
  }
  ({ kept, remembered, dropped } = withinBudget(kept, remembered, dropped));

  return {
    next: { v: 1, key: [...key], arrivals: arrival + 1, events: kept, alerted: remembered, seen, dropped },
    expiresAt: newest + horizon,
    output: { sequences: found, repeated: false },
  };
}

/**
 * Keeps the state under MAX_SEQUENCE_STATE_BYTES whatever the events carry (a rule whose steps match everything, with
 * long investigation fields): the oldest events go first (counted in `dropped`), then the oldest alerted sequences.
 * Without it a key could outgrow a DynamoDB item and fail every event of the key from then on.
 */
function withinBudget(
  events: BufferedEvent[],
  alerted: FoundSequence[],
  dropped: number,
): { kept: BufferedEvent[]; remembered: FoundSequence[]; dropped: number } {
  const bytes = (value: JsonValue) => Buffer.byteLength(JSON.stringify(value), 'utf8');
  const eventBytes = events.map(bytes);
  const alertedBytes = alerted.map(bytes);
  let total = [...eventBytes, ...alertedBytes].reduce((sum, size) => sum + size, 0);
  let firstEvent = 0;
  let firstAlerted = 0;
  while (total > MAX_SEQUENCE_STATE_BYTES && firstEvent < events.length - 1) total -= eventBytes[firstEvent++] as number;
  while (total > MAX_SEQUENCE_STATE_BYTES && firstAlerted < alerted.length) total -= alertedBytes[firstAlerted++] as number;
  return { kept: events.slice(firstEvent), remembered: alerted.slice(firstAlerted), dropped: dropped + firstEvent };
}

/**
 * Every sequence the key's events give, in timestamp order, as Elasticsearch's search would return them. Events
 * before `stepCutoff` take part only through their missing-event stages: as steps they could only make sequences the
 * events before them (dropped) would have decided otherwise.
 */
function replay(matcher: SequenceMatcher, key: readonly KeyValue[], events: readonly BufferedEvent[], stepCutoff: number): SequenceMatch[] {
  const keyId = JSON.stringify(key);
  let matcherState: SequenceKeyState | undefined;
  const matches: SequenceMatch[] = [];
  for (const event of events) {
    const old = event.t < stepCutoff;
    const stages = old ? event.s.filter((stage) => matcher.stages[stage]?.missing) : event.s;
    const until = !old && event.u === 1;
    if (stages.length === 0 && !until) continue;
    const route = { keyId, key, stages, until };
    const step = matcher.step(matcherState, route, { timestamp: event.t, ...(event.tb === null ? {} : { tiebreaker: event.tb }), ref: event.id });
    matcherState = step.state;
    matches.push(...step.matches);
  }
  return matches;
}

/** The found sequence, its steps' summaries from the state, the whole one for the event being processed. */
function toFound(match: SequenceMatch, events: readonly BufferedEvent[], current: BufferedEvent, summary: EventSummary): FoundSequence {
  const byId = new Map(events.map((event) => [event.id, event]));
  const steps = match.events.map((matched) => {
    if (matched === null) return null;
    const event = byId.get(matched.ref as string) as BufferedEvent;
    if (event.id === current.id) return { id: event.id, time: event.t, summary, partial: false };
    return { id: event.id, time: event.t, summary: event.d, partial: event.p === 1 };
  });
  return { steps, foundBy: current.id };
}

function partialSummary(summary: EventSummary): EventSummary {
  return Object.fromEntries(PARTIAL_SUMMARY_FIELDS.flatMap((field) => (summary[field] === undefined ? [] : [[field, summary[field]]])));
}

/** A sequence is its events: the same events found again by another replay are the same sequence. */
export function sequenceIdentity(sequence: FoundSequence): string {
  return JSON.stringify(sequence.steps.map((step) => step?.id ?? null));
}

/** 132 bits of SHA-256 of the identity: collisions are out of reach for the sequences of one key. */
function sequenceDigest(sequence: FoundSequence): string {
  return shortHash(sequenceIdentity(sequence), 22);
}

function firstTime(sequence: FoundSequence): number {
  return Math.min(...sequence.steps.flatMap((step) => (step ? [step.time] : [])));
}

function ordinalOf(event: BufferedEvent): Ordinal {
  return [event.t, event.tb, event.n];
}

function insertByOrdinal(events: readonly BufferedEvent[], added: BufferedEvent): BufferedEvent[] {
  const result = [...events];
  let at = result.length;
  while (at > 0 && compareOrdinals(ordinalOf(result[at - 1] as BufferedEvent), ordinalOf(added)) > 0) at -= 1;
  result.splice(at, 0, added);
  return result;
}

function decodeSequenceState(stored: unknown): SequenceState {
  const state = stored as Partial<SequenceState> | null;
  if (typeof state !== 'object' || state === null || state.v !== 1) throw new Error('not a version 1 sequence state');
  const eventsOk =
    Array.isArray(state.events) &&
    state.events.every((event) => typeof event?.id === 'string' && typeof event.t === 'number' && typeof event.n === 'number' && Array.isArray(event.s) && typeof event.d === 'object');
  const alertedOk = Array.isArray(state.alerted) && state.alerted.every((found) => typeof found?.foundBy === 'string' && Array.isArray(found.steps));
  const seenOk = Array.isArray(state.seen) && state.seen.every((entry) => Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'number');
  if (!Array.isArray(state.key) || typeof state.arrivals !== 'number' || !eventsOk || !alertedOk || !seenOk || typeof state.dropped !== 'number') {
    throw new Error('key, arrivals, events, alerted, seen or dropped are missing or malformed');
  }
  return state as SequenceState;
}

import type { Reduction, StateMachine } from '../state/apply-reducer';
import type { JsonValue } from '../state/state-store';
import { compactEventId } from './state-keys';

/**
 * The state of one threshold rule for one group (one value of each group-by field).
 *
 * The contract: after each event e of the group at time t, S = the events of the group processed so far with a time
 * in (t - W, t] and later than the group's last alert; when |S| >= N (and, with cardinality, S holds >= M distinct
 * values of the cardinality field) the group alerts on e and its last alert time becomes t.
 *
 * So the state keeps the events later than the last alert, and of those only the ones an event within the lateness
 * allowance of the newest can still count: time > newest - W - lateness. Each is `[time, event id, hash of its
 * source address (or ''), ...hashes of its cardinality values]`, sorted. Before a group crosses, its window holds fewer than N events, and the alert drops
 * all it counted; only a cardinality rule whose events repeat a few values can pile up more, and a group keeps at
 * most MAX_GROUP_EVENTS of them (the oldest go first, counted in `dropped`), about 70 KB in the worst case.
 */
export interface ThresholdState {
  readonly [key: string]: JsonValue;
  readonly v: 1;
  /** The group's values, in field order, for whoever reads the table; not used by the logic. */
  readonly terms: readonly string[];
  /** Time of the group's last alert (epoch ms), null before the first. */
  readonly lastAlert: number | null;
  readonly events: readonly ThresholdEvent[];
  /** The group's recent alerts, most recent last: a retry of the event that raised one raises the same alert again. */
  readonly alerts: readonly ThresholdCrossing[];
  /** Events dropped to keep the group under MAX_GROUP_EVENTS since the state was created. */
  readonly dropped: number;
}

/** `[time, event id, source address hash or '', ...cardinality value hashes]`. */
export type ThresholdEvent = readonly [number, string, string, ...string[]];

/** What an alert says: Elastic's threshold_result, plus the events it counted. */
export interface ThresholdCrossing {
  readonly [key: string]: JsonValue;
  /** The event the group alerted on, and its time (the last alert time from then on). */
  readonly eventId: string;
  readonly time: number;
  /** |S|. */
  readonly count: number;
  /** The earliest time in S (epoch ms). */
  readonly from: number;
  /** Distinct cardinality values in S; null when the rule has no cardinality. */
  readonly distinct: number | null;
  /** Distinct source addresses in S (what the e-mail says: "from 3 addresses"). */
  readonly sources: number;
  /** The ids of the events in S, earliest first, at most MAX_LISTED_EVENTS. */
  readonly eventIds: readonly string[];
}

export interface ThresholdInput {
  readonly eventId: string;
  readonly time: number;
  readonly terms: readonly string[];
  /** Hashes of the event's distinct cardinality values (empty without cardinality or when the field is missing). */
  readonly cardinalityHashes: readonly string[];
  /** Hash of the event's source address, '' when it has none. */
  readonly sourceHash: string;
  /** N. */
  readonly value: number;
  /** M, when the rule has a cardinality. */
  readonly cardinalityValue?: number;
  /** W. */
  readonly windowMs: number;
  readonly latenessMs: number;
}

export interface ThresholdOutput {
  /** The alert this event raises (or raised before, for a retry). */
  readonly crossing?: ThresholdCrossing;
  readonly repeated: boolean;
}

/** The most events a group keeps (see ThresholdState). */
export const MAX_GROUP_EVENTS = 1000;
/** The most event ids an alert lists. */
export const MAX_LISTED_EVENTS = 20;
/** Alerts kept for retries of the events that raised them. */
const MAX_KEPT_ALERTS = 4;

export const THRESHOLD_MACHINE: StateMachine<ThresholdState, ThresholdInput, ThresholdOutput> = {
  name: 'threshold',
  decode: decodeThresholdState,
  reduce: reduceThreshold,
};

export function reduceThreshold(state: ThresholdState | undefined, input: ThresholdInput): Reduction<ThresholdState, ThresholdOutput> {
  const { time, windowMs: w, latenessMs } = input;
  const eventId = compactEventId(input.eventId);
  const repeat = state?.alerts.find((alert) => alert.eventId === eventId);
  if (repeat) return { output: { crossing: repeat, repeated: true } };
  const nothing = { output: { repeated: false } };
  // Counted already (a redelivery), or not later than the last alert: it is in no S from now on.
  if (state?.events.some((event) => event[1] === eventId)) return nothing;
  const lastAlert = state?.lastAlert ?? null;
  if (lastAlert !== null && time <= lastAlert) return nothing;

  let events: ThresholdEvent[] = insertSorted(state?.events ?? [], [time, eventId, input.sourceHash, ...input.cardinalityHashes]);
  let alerts = state?.alerts ?? [];
  let nextLastAlert = lastAlert;
  let crossing: ThresholdCrossing | undefined;

  const counted = events.filter(([at]) => at > time - w && at <= time);
  const distinct = input.cardinalityValue === undefined ? null : new Set(counted.flatMap(([, , , ...hashes]) => hashes)).size;
  if (counted.length >= input.value && (distinct === null || distinct >= (input.cardinalityValue as number))) {
    crossing = {
      eventId,
      time,
      count: counted.length,
      from: counted[0]?.[0] as number,
      distinct,
      sources: new Set(counted.map(([, , source]) => source).filter((source) => source !== '')).size,
      eventIds: counted.slice(0, MAX_LISTED_EVENTS).map(([, id]) => id),
    };
    nextLastAlert = time;
    events = events.filter(([at]) => at > time);
    alerts = [...alerts, crossing];
  }

  const newest = Math.max(time, nextLastAlert ?? time, ...events.map(([at]) => at));
  events = events.filter(([at]) => at > newest - w - latenessMs);
  let dropped = state?.dropped ?? 0;
  if (events.length > MAX_GROUP_EVENTS) {
    dropped += events.length - MAX_GROUP_EVENTS;
    events = events.slice(events.length - MAX_GROUP_EVENTS);
  }
  alerts = alerts.filter((alert) => alert.time >= newest - latenessMs).slice(-MAX_KEPT_ALERTS);
  return {
    next: { v: 1, terms: state?.terms ?? input.terms, lastAlert: nextLastAlert, events, alerts, dropped },
    expiresAt: newest + w + latenessMs,
    output: crossing ? { crossing, repeated: false } : { repeated: false },
  };
}

/** Events stay sorted by time, then id, so the same events always give the same state. */
function insertSorted(events: readonly ThresholdEvent[], event: ThresholdEvent): ThresholdEvent[] {
  const result = [...events];
  let index = result.length;
  while (index > 0 && compareEvents(result[index - 1] as ThresholdEvent, event) > 0) index--;
  result.splice(index, 0, event);
  return result;
}

function compareEvents(a: ThresholdEvent, b: ThresholdEvent): number {
  return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
}

function decodeThresholdState(stored: unknown): ThresholdState {
  const state = stored as Partial<ThresholdState> | null;
  if (typeof state !== 'object' || state === null || state.v !== 1) throw new Error('not a version 1 threshold state');
  const eventsOk =
    Array.isArray(state.events) &&
    state.events.every((event) => Array.isArray(event) && event.length >= 3 && typeof event[0] === 'number' && event.slice(1).every((part) => typeof part === 'string'));
  const alertsOk =
    Array.isArray(state.alerts) &&
    state.alerts.every((alert) => typeof alert?.eventId === 'string' && typeof alert.time === 'number' && typeof alert.count === 'number' && Array.isArray(alert.eventIds));
  if (!Array.isArray(state.terms) || !(state.lastAlert === null || typeof state.lastAlert === 'number') || !eventsOk || !alertsOk || typeof state.dropped !== 'number') {
    throw new Error('terms, lastAlert, events, alerts or dropped are missing or malformed');
  }
  return state as ThresholdState;
}

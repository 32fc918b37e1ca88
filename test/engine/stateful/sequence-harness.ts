import fc from 'fast-check';
import { createSequenceMatcher, parseEql, type EqlSequenceQuery, type SequenceKeyState, type SequenceMatcher } from '../../../src/engine/eql';
import { compareOrdinals } from '../../../src/engine/eql/sequence';
import type { MemoryStateStore, StateStore } from '../../../src/engine/state';
import { evaluateSequenceRule, sequenceRuntime, type SequenceRuleRuntime } from '../../../src/engine/stateful/evaluate-sequence';

/**
 * Runs EQL sequence rules over event streams as the detector does (one event after the other, in arrival order,
 * through the state port), and the literal answer they must give: Elasticsearch's search (createSequenceMatcher over
 * the events sorted by time) run again after every event over everything processed so far, each sequence alerted
 * the first time a search returns it.
 */

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const T0 = Date.parse('2026-11-20T10:00:00Z');

export interface SequenceStreamEvent {
  readonly id: string;
  readonly time: number;
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface SequenceAlert {
  /** The events of the sequence, in stage order (null: a missing-event stage). */
  readonly ids: readonly (string | null)[];
  readonly key: readonly unknown[];
  readonly foundBy: string;
  readonly repeated: boolean;
}

export function sequenceRule(query: string, ruleId = 'sequence-rule', spanMs?: number): SequenceRuleRuntime {
  const parsed = parseEql(query) as EqlSequenceQuery;
  const matcher = createSequenceMatcher(parsed);
  return sequenceRuntime(ruleId, matcher, spanMs ?? parsed.maxspan?.milliseconds ?? 30 * MINUTE);
}

export function sequenceDocument(event: SequenceStreamEvent): Record<string, unknown> {
  return { '@timestamp': new Date(event.time).toISOString(), 'event.id': event.id, ...event.fields };
}

export async function evaluateSequenceEvent(
  rule: SequenceRuleRuntime,
  event: SequenceStreamEvent,
  store: StateStore,
  latenessMs?: number,
): Promise<SequenceAlert[]> {
  if ('observe' in store) (store as MemoryStateStore).observe(event.time);
  const { findings } = await evaluateSequenceRule(
    rule,
    sequenceDocument(event),
    { eventId: event.id, time: event.time, tiebreaker: null },
    store,
    latenessMs === undefined ? {} : { latenessMs },
  );
  return findings.map((finding) => ({
    ids: finding.sequence.steps.map((step) => step?.id ?? null),
    key: finding.key.map((part) => part.value),
    foundBy: finding.sequence.foundBy,
    repeated: finding.repeated,
  }));
}

export async function runSequenceStream(
  rule: SequenceRuleRuntime,
  events: readonly SequenceStreamEvent[],
  store: StateStore,
  latenessMs?: number,
): Promise<SequenceAlert[]> {
  const alerts: SequenceAlert[] = [];
  for (const event of events) alerts.push(...(await evaluateSequenceEvent(rule, event, store, latenessMs)));
  return alerts;
}

/** Elasticsearch's answer over a list of events: sorted by time then arrival, each key through the matcher. */
export function searchSequences(matcher: SequenceMatcher, events: readonly SequenceStreamEvent[], horizonMs?: number): string[] {
  const ordered = events.map((event, arrival) => ({ event, arrival })).sort((a, b) => compareOrdinals([a.event.time, null, a.arrival], [b.event.time, null, b.arrival]));
  const states = new Map<string, SequenceKeyState | undefined>();
  const newest = new Map<string, number>();
  const found: string[] = [];
  for (const { event } of ordered) {
    for (const route of matcher.route(sequenceDocument(event))) {
      // With `horizonMs`, a key silent for the horizon starts afresh, as its state item expires (sequence.ts): a
      // complete sequence still waiting for its trailing window then waits for nothing (docs/eql.md, deviations).
      const last = newest.get(route.keyId);
      if (horizonMs !== undefined && last !== undefined && event.time - last >= horizonMs) states.delete(route.keyId);
      newest.set(route.keyId, Math.max(last ?? event.time, event.time));
      const { state, matches } = matcher.step(states.get(route.keyId), route, { timestamp: event.time, ref: event.id });
      states.set(route.keyId, state);
      for (const match of matches) found.push(JSON.stringify(match.events.map((matched) => (matched === null ? null : matched.ref))));
    }
  }
  return found;
}

/** The literal answer for a stream in arrival order: the search after every event (redeliveries ignored). */
export function literalStreamAlerts(matcher: SequenceMatcher, arrivals: readonly SequenceStreamEvent[]): string[] {
  const distinct: SequenceStreamEvent[] = [];
  const seen = new Set<string>();
  const alerted: string[] = [];
  for (const event of arrivals) {
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    distinct.push(event);
    for (const sequence of searchSequences(matcher, distinct)) if (!alerted.includes(sequence)) alerted.push(sequence);
  }
  return alerted;
}

/** The first-time alerts of an engine run, as sequence identities. */
export function alertedSequences(alerts: readonly SequenceAlert[]): string[] {
  return alerts.filter((alert) => !alert.repeated).map((alert) => JSON.stringify(alert.ids));
}

/** Keys: two long-term keys that can start sequences, one role key that cannot (the first step wants AKIA*). */
const KEYS = ['AKIA1', 'AKIA2', 'ASIA3'] as const;

export interface SequenceStep {
  readonly redeliver: number | undefined;
  readonly move: number;
  readonly action: string;
  readonly key: string;
}

export const sequenceSteps = (actions: readonly string[], maxMove: number) =>
  fc.array(
    fc.record({
      redeliver: fc.option(fc.nat(), { freq: 6, nil: undefined }),
      move: fc.integer({ min: -3, max: maxMove }),
      action: fc.constantFrom(...actions),
      key: fc.constantFrom(...KEYS),
    }),
    { minLength: 1, maxLength: 40, size: 'max' },
  );

/**
 * Times on a grid of `step` ms (so maxspan edges are hit exactly), sometimes a millisecond off, sometimes back by
 * up to `lateness` behind the newest; earlier events redelivered.
 */
export function sequenceStreamOf(stepList: readonly SequenceStep[], step: number, lateness: number): SequenceStreamEvent[] {
  const events: SequenceStreamEvent[] = [];
  let newest = T0;
  stepList.forEach((item, i) => {
    if (item.redeliver !== undefined && events.length > 0) {
      const earlier = events[item.redeliver % events.length] as SequenceStreamEvent;
      if (earlier.time >= newest - lateness) {
        events.push(earlier);
        return;
      }
    }
    const jitter = i % 5 === 0 ? 1 : 0;
    const time = item.move >= 0 ? newest + item.move * step + jitter : Math.max(newest + item.move * step, newest - lateness);
    newest = Math.max(newest, time);
    events.push({ id: `e${i}`, time, fields: { 'event.action': item.action, 'user.key': item.key } });
  });
  return events;
}

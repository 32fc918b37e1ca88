import fc from 'fast-check';
import { MemoryStateStore } from '../../../src/engine/state';
import { sequenceHorizonMs } from '../../../src/engine/stateful';
import {
  alertedSequences,
  literalStreamAlerts,
  MINUTE,
  runSequenceStream,
  searchSequences,
  sequenceRule,
  sequenceStreamOf,
  sequenceSteps,
  type SequenceStreamEvent,
} from './sequence-harness';

/**
 * The sequence reducer against the literal answer on random streams: Elasticsearch's search (createSequenceMatcher
 * over all events sorted by time) run after every event, each sequence alerted when first returned. With events in
 * time order that is the search over the whole stream once; with disorder within the lateness allowance, every
 * sequence of the whole stream is among the alerts.
 */

const STEP = MINUTE;
const LATENESS = 4 * STEP;

const QUERIES = {
  'two steps, until, a key condition on the first step': {
    query: `sequence by user.key with maxspan=5m
      [any where event.action == "A" and user.key like "AKIA*"]
      [any where event.action == "B"]
    until [any where event.action == "U"]`,
    actions: ['A', 'B', 'U', 'X'],
  },
  'three steps with runs and a stage that is its own successor': {
    query: `sequence by user.key with maxspan=6m
      [any where event.action in ("A", "B")] with runs=2
      [any where event.action == "B"]`,
    actions: ['A', 'B', 'X'],
  },
  'a missing event between two steps': {
    query: `sequence by user.key with maxspan=5m
      [any where event.action == "A"]
      ![any where event.action == "X"]
      [any where event.action == "B"]`,
    actions: ['A', 'B', 'X'],
  },
  'a leading missing event': {
    query: `sequence by user.key with maxspan=5m
      ![any where event.action == "X"]
      [any where event.action == "A"]
      [any where event.action == "B"]`,
    actions: ['A', 'B', 'X'],
  },
  'a trailing missing event (a complete sequence waits for its window)': {
    query: `sequence by user.key with maxspan=5m
      [any where event.action == "A"]
      [any where event.action == "B"]
      ![any where event.action == "X"]`,
    actions: ['A', 'B', 'X'],
    // A complete sequence waits for its trailing window to pass, and only a later event of its key can tell: if
    // none comes before the key's state expires, the sequence is never alerted (docs/eql.md, deviations).
    waitsForLaterEvent: true,
  },
} as const;

describe.each(Object.entries(QUERIES))('%s', (_name, { query, actions, ...shape }) => {
  const waitsForLaterEvent = 'waitsForLaterEvent' in shape;
  const rule = sequenceRule(query);
  // The search as the state sees it: a key silent for its state's horizon starts afresh.
  const horizon = sequenceHorizonMs(rule.spanMs, LATENESS, query.includes('!['));
  const run = (events: readonly SequenceStreamEvent[]) => runSequenceStream(rule, events, new MemoryStateStore(), LATENESS);

  it('equals the search after every event, on streams with disorder and redeliveries', async () => {
    await fc.assert(
      fc.asyncProperty(sequenceSteps(actions, 3), async (stepList) => {
        const events = sequenceStreamOf(stepList, STEP, LATENESS);
        const alerts = await run(events);
        const literal = literalStreamAlerts(rule.matcher, events);
        if (waitsForLaterEvent) {
          // Never a sequence the search would not find, and every one whose key spoke again in time.
          expect(literal).toEqual(expect.arrayContaining(alertedSequences(alerts)));
          expect(alertedSequences(alerts)).toEqual(expect.arrayContaining(searchSequences(rule.matcher, dedupe(events), horizon)));
        } else {
          expect(alertedSequences(alerts)).toEqual(literal);
          // Every sequence of the whole stream is alerted (exactly when nothing came late).
          expect(alertedSequences(alerts)).toEqual(expect.arrayContaining(searchSequences(rule.matcher, dedupe(events))));
        }
        // A repeated alert is one raised before, by the same event.
        for (const alert of alerts.filter((a) => a.repeated)) {
          expect(alerts.some((a) => !a.repeated && a.foundBy === alert.foundBy && JSON.stringify(a.ids) === JSON.stringify(alert.ids))).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('equals the search over the whole stream when events come in time order', async () => {
    await fc.assert(
      fc.asyncProperty(sequenceSteps(actions, 3), async (stepList) => {
        const events = sequenceStreamOf(stepList.map((step) => ({ ...step, move: Math.max(0, step.move) })), STEP, 0);
        const alerts = await run(events);
        const whole = searchSequences(rule.matcher, dedupe(events));
        if (waitsForLaterEvent) {
          expect(whole).toEqual(expect.arrayContaining(alertedSequences(alerts)));
          expect(alertedSequences(alerts)).toEqual(expect.arrayContaining(searchSequences(rule.matcher, dedupe(events), horizon)));
        } else expect(alertedSequences(alerts)).toEqual(whole);
      }),
      { numRuns: 150 },
    );
  });
});

function dedupe(events: readonly SequenceStreamEvent[]): SequenceStreamEvent[] {
  const seen = new Set<string>();
  return events.filter((event) => !seen.has(event.id) && (seen.add(event.id), true));
}

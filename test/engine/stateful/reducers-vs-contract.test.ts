import fc from 'fast-check';
import { MemoryStateStore } from '../../../src/engine/state';
import { distinctValues, valueCombinations } from '../../../src/engine/stateful';
import { NewTermsOracle, ThresholdOracle, type OracleAlert } from './contract-oracle';
import { H, NEW_TERMS_LATENESS, steps, streamOf, THRESHOLD_LATENESS, W } from './random-streams';
import { documentOf, newTermsRule, runStream, thresholdRule, type EngineAlert } from './stream-harness';

/**
 * The bounded reducers (clusters of sightings, pruned event lists, expiring keys) against the literal contract, on
 * random streams with every trap mixed in: times on a coarse grid so window edges are hit exactly, disorder up to
 * the lateness allowance, re-deliveries, array fields, missing fields, resets after threshold alerts.
 */

function identity(alert: { eventId: string; key: readonly string[] }): string {
  return JSON.stringify([alert.eventId, alert.key]);
}

/** Engine alerts equal the oracle's once repeats (the same alert raised again for a retry) are set aside. */
function expectSameAlerts(engine: readonly EngineAlert[], oracle: readonly OracleAlert[], withCounts: boolean): void {
  const first = engine.filter((alert) => !alert.repeated);
  const project = (alert: EngineAlert | OracleAlert) =>
    withCounts ? { eventId: alert.eventId, key: alert.key, count: alert.count, from: alert.from, distinct: alert.distinct } : { eventId: alert.eventId, key: alert.key };
  expect(first.map(project)).toEqual(oracle.map(project));
  const raised = new Set(first.map(identity));
  for (const repeat of engine.filter((alert) => alert.repeated)) expect(raised.has(identity(repeat))).toBe(true);
}

describe('new_terms reducer = the contract', () => {
  it.each([
    { fields: ['f.a'], maxMove: 3, pool: 3 },
    { fields: ['f.a'], maxMove: 12, pool: 5 },
    { fields: ['f.a', 'f.b'], maxMove: 8, pool: 3 },
    { fields: ['f.a', 'f.b', 'f.c'], maxMove: 6, pool: 2 },
  ])('on random streams, %j', async ({ fields, maxMove, pool }) => {
    await fc.assert(
      fc.asyncProperty(steps(maxMove, pool), fc.integer({ min: 0, max: 20 }), async (stepList, backJump) => {
        const events = streamOf(stepList, NEW_TERMS_LATENESS, backJump);
        const rule = newTermsRule(fields, H);
        const engine = await runStream(rule, events, new MemoryStateStore(), { newTermsLatenessMs: NEW_TERMS_LATENESS });
        const oracle = new NewTermsOracle(H);
        const expected = events.flatMap((event) => oracle.process({ id: event.id, time: event.time, keys: valueCombinations(documentOf(event), fields).combinations }));
        expectSameAlerts(engine, expected, false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('threshold reducer = the contract', () => {
  it.each([
    { fields: ['f.a'], value: 3 },
    { fields: [], value: 2 },
    { fields: ['f.a', 'f.b'], value: 1 },
    { fields: ['f.a'], value: 1, cardinality: { field: 'f.c', value: 2 } },
    { fields: [], value: 2, cardinality: { field: 'f.b', value: 3 } },
  ])('on random streams, %j', async ({ fields, value, cardinality }) => {
    await fc.assert(
      fc.asyncProperty(steps(3, 3), fc.integer({ min: 0, max: 10 }), async (stepList, backJump) => {
        const events = streamOf(stepList, THRESHOLD_LATENESS, backJump);
        const rule = thresholdRule(fields, value, W, cardinality);
        const engine = await runStream(rule, events, new MemoryStateStore(), { thresholdLatenessMs: THRESHOLD_LATENESS });
        const oracle = new ThresholdOracle(value, W, cardinality?.value);
        const expected = events.flatMap((event) =>
          oracle.process({
            id: event.id,
            time: event.time,
            keys: valueCombinations(documentOf(event), fields).combinations,
            ...(cardinality ? { cardinality: distinctValues(documentOf(event), cardinality.field) } : {}),
          }),
        );
        expectSameAlerts(engine, expected, true);
      }),
      { numRuns: 300 },
    );
  });
});

import fc from 'fast-check';
import { DynamoDbStateStore } from '../../src/dynamodb/dynamodb-state-store';
import { MemoryStateStore, type JsonValue } from '../../src/engine/state';
import { H, NEW_TERMS_LATENESS, steps, streamOf, THRESHOLD_LATENESS, W } from '../engine/stateful/random-streams';
import { evaluateEvent, newTermsRule, thresholdRule, type EngineAlert } from '../engine/stateful/stream-harness';
import { startLocalDynamoDb, type LocalDynamoDb } from '../support/local-dynamodb';

/**
 * The Lambda's store (DynamoDB, here dynalite) and scan's (memory) are interchangeable: on the same random stream,
 * with both clocks at the newest event time, a new_terms rule and two threshold rules raise the same alerts and
 * leave the same state behind, key for key.
 */

let local: LocalDynamoDb;
beforeAll(async () => {
  local = await startLocalDynamoDb();
});
afterAll(async () => {
  await local.stop();
});

const rules = [
  newTermsRule(['f.a', 'f.b'], H, 'nt'),
  thresholdRule(['f.a'], 2, W, undefined, 'th'),
  thresholdRule([], 1, W, { field: 'f.c', value: 2 }, 'th-card'),
];
const options = { newTermsLatenessMs: NEW_TERMS_LATENESS, thresholdLatenessMs: THRESHOLD_LATENESS };

it('DynamoDB and memory give the same alerts and the same state on random streams', async () => {
  await fc.assert(
    fc.asyncProperty(steps(6, 3), fc.integer({ min: 0, max: 10 }), async (stepList, backJump) => {
      const events = streamOf(stepList, THRESHOLD_LATENESS, backJump);
      const memory = new MemoryStateStore();
      let clock = Number.NEGATIVE_INFINITY;
      const tableName = await local.createStateTable();
      const dynamo = new DynamoDbStateStore({ client: local.client, tableName, now: () => clock });
      const fromMemory: EngineAlert[] = [];
      const fromDynamo: EngineAlert[] = [];
      for (const event of events) {
        clock = Math.max(clock, event.time);
        for (const rule of rules) {
          fromMemory.push(...(await evaluateEvent(rule, event, memory, options)));
          fromDynamo.push(...(await evaluateEvent(rule, event, dynamo, options)));
        }
      }
      expect(fromDynamo).toEqual(fromMemory);
      const live = memory.snapshot().entries;
      const stored: Record<string, JsonValue> = {};
      for (const item of await local.scanTable(tableName)) {
        if (Number(item.expiresAt?.N) * 1000 > clock) stored[item.pk?.S as string] = JSON.parse(item.state?.S as string) as JsonValue;
      }
      expect(stored).toEqual(Object.fromEntries(live.map((entry) => [entry.key, entry.value])));
      await local.deleteTable(tableName);
    }),
    { numRuns: 25 },
  );
});

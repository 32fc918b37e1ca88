import fc from 'fast-check';
import { DynamoDbStateStore } from '../../src/dynamodb/dynamodb-state-store';
import { MemoryStateStore, type JsonValue } from '../../src/engine/state';
import { evaluateSequenceEvent, MINUTE, sequenceRule, sequenceStreamOf, sequenceSteps, type SequenceAlert } from '../engine/stateful/sequence-harness';
import { startLocalDynamoDb, type LocalDynamoDb } from '../support/local-dynamodb';

/**
 * A sequence rule on the Lambda's store (DynamoDB, here dynalite) and on scan's (memory): on the same random stream,
 * with both clocks at the newest event time, the same alerts and the same state, key for key.
 */

let local: LocalDynamoDb;
beforeAll(async () => {
  local = await startLocalDynamoDb();
});
afterAll(async () => {
  await local.stop();
});

const LATENESS = 4 * MINUTE;
const rule = sequenceRule(`sequence by user.key with maxspan=5m
  [any where event.action == "A" and user.key like "AKIA*"]
  [any where event.action == "B"]
until [any where event.action == "U"]`);

it('DynamoDB and memory give the same sequence alerts and the same state on random streams', async () => {
  await fc.assert(
    fc.asyncProperty(sequenceSteps(['A', 'B', 'U'], 3), async (stepList) => {
      const events = sequenceStreamOf(stepList, MINUTE, LATENESS);
      const memory = new MemoryStateStore();
      let clock = Number.NEGATIVE_INFINITY;
      const tableName = await local.createStateTable();
      const dynamo = new DynamoDbStateStore({ client: local.client, tableName, now: () => clock });
      const fromMemory: SequenceAlert[] = [];
      const fromDynamo: SequenceAlert[] = [];
      for (const event of events) {
        clock = Math.max(clock, event.time);
        fromMemory.push(...(await evaluateSequenceEvent(rule, event, memory, LATENESS)));
        fromDynamo.push(...(await evaluateSequenceEvent(rule, event, dynamo, LATENESS)));
      }
      expect(fromDynamo).toEqual(fromMemory);
      const stored: Record<string, JsonValue> = {};
      for (const item of await local.scanTable(tableName)) {
        if (Number(item.expiresAt?.N) * 1000 > clock) stored[item.pk?.S as string] = JSON.parse(item.state?.S as string) as JsonValue;
      }
      expect(stored).toEqual(Object.fromEntries(memory.snapshot().entries.map((entry) => [entry.key, entry.value])));
      await local.deleteTable(tableName);
    }),
    { numRuns: 20 },
  );
});

import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbStateStore } from '../../src/dynamodb/dynamodb-state-store';
import { MAX_STATE_BYTES, StateContentionError, StateValueError } from '../../src/engine/state';
import { stateKey } from '../../src/engine/stateful';
import { startLocalDynamoDb, type LocalDynamoDb } from '../support/local-dynamodb';
import { newTermsRule, evaluateEvent, thresholdRule, type StreamEvent } from '../engine/stateful/stream-harness';

/**
 * The DynamoDB state store against dynalite: the port's conditions, expiry, concurrent Lambda containers, and
 * DynamoDB failing under them (throttling, errors, an answer lost after the write happened).
 */

const T0 = Date.parse('2026-11-20T10:00:00Z');
const DAY = 86_400_000;

let local: LocalDynamoDb;
beforeAll(async () => {
  local = await startLocalDynamoDb();
});
afterAll(async () => {
  await local.stop();
});

async function storeOn(clock: { now: number } = { now: T0 }, client = local.client): Promise<{ store: DynamoDbStateStore; tableName: string; clock: { now: number } }> {
  const tableName = await local.createStateTable();
  return { store: new DynamoDbStateStore({ client, tableName, now: () => clock.now }), tableName, clock };
}

describe('the port on DynamoDB', () => {
  it('creates, reads and replaces with compare-and-set on the version', async () => {
    const { store, tableName } = await storeOn();
    expect(await store.get('k')).toBeUndefined();
    expect(await store.put('k', { a: 1 }, { mustNotExist: true }, T0 + DAY)).toEqual({ written: true, version: 1 });
    expect(await store.put('k', { a: 2 }, { mustNotExist: true }, T0 + DAY)).toEqual({ written: false });
    expect(await store.get('k')).toEqual({ value: { a: 1 }, version: 1 });
    expect(await store.put('k', { a: 2 }, { expectedVersion: 1 }, T0 + DAY)).toEqual({ written: true, version: 2 });
    expect(await store.put('k', { a: 3 }, { expectedVersion: 1 }, T0 + DAY)).toEqual({ written: false });
    expect(await store.get('k')).toEqual({ value: { a: 2 }, version: 2 });
    const [item] = await local.scanTable(tableName);
    // The TTL attribute is epoch seconds, rounded up.
    expect(item).toEqual({ pk: { S: 'k' }, state: { S: '{"a":2}' }, version: { N: '2' }, expiresAt: { N: String((T0 + DAY) / 1000) } });
  });

  it('reads strongly consistent', async () => {
    const { store } = await storeOn();
    local.clearRequests();
    await store.get('absent');
    expect(local.requests.map(({ operation, consistentRead }) => ({ operation, consistentRead }))).toEqual([{ operation: 'GetItem', consistentRead: true }]);
  });

  it('treats an expired item as absent before TTL deletes it, and a writer of the old version can never win', async () => {
    const clock = { now: T0 };
    const { store } = await storeOn(clock);
    await store.put('k', 'old', { mustNotExist: true }, T0 + 1500);
    clock.now = T0 + 2000; // expiresAt rounds up to T0 + 2 s: expired from then on
    expect(await store.get('k')).toBeUndefined();
    expect(await store.put('k', 'stale', { expectedVersion: 1 }, T0 + DAY)).toEqual({ written: false });
    expect(await store.put('k', 'new', { mustNotExist: true }, T0 + DAY)).toEqual({ written: true, version: 2 });
    expect(await store.get('k')).toEqual({ value: 'new', version: 2 });
  });

  it('refuses a value too big for an item and a key no table could hold, without a request', async () => {
    const { store } = await storeOn();
    local.clearRequests();
    await expect(store.put('k', 'x'.repeat(MAX_STATE_BYTES), { mustNotExist: true }, T0)).rejects.toThrow(StateValueError);
    await expect(store.put('a key\nwith a line break', 1, { mustNotExist: true }, T0)).rejects.toThrow(/printable ASCII/);
    expect(local.requests).toEqual([]);
  });

  it('names the item and what to do when it holds something else', async () => {
    const { store, tableName } = await storeOn();
    await local.client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'bad' }, state: { S: '{not json' }, version: { N: '1' } } }));
    await expect(store.get('bad')).rejects.toThrow(`state table ${tableName}: item bad holds text that is not JSON`);
    const rule = newTermsRule(['user.name'], 7 * DAY);
    await local.client.send(
      new PutItemCommand({ TableName: tableName, Item: { pk: { S: stateKey('new_terms', rule.ruleId, ['alice']) }, state: { S: '{"v":9}' }, version: { N: '1' } } }),
    );
    await expect(evaluateEvent(rule, { id: 'e1', time: T0, fields: { 'user.name': 'alice' } }, store)).rejects.toThrow(
      /the new_terms state stored at new_terms#new-terms-rule#\S+ cannot be read \(not a version 1 new_terms state\); delete the item/,
    );
  });
});

describe('two Lambda containers at the same moment', () => {
  const alice = { 'cloud.account.id': '111122223333', 'user.name': 'alice' };

  it('the same new term: one alert', async () => {
    const tableName = await local.createStateTable();
    const containers = Array.from({ length: 8 }, () => new DynamoDbStateStore({ client: local.newClient(), tableName, now: () => T0 }));
    const rule = newTermsRule(['cloud.account.id', 'user.name'], 7 * DAY);
    const results = await Promise.all(containers.map((store, i) => evaluateEvent(rule, { id: `e${i}`, time: T0 + i, fields: alice }, store)));
    expect(results.flat()).toHaveLength(1);
    expect(results.flat()[0]?.repeated).toBe(false);
  });

  it('the same threshold crossing: one alert', async () => {
    const rule = thresholdRule(['cloud.account.id'], 3, 6 * 60_000);
    const failure = (id: string, offset: number): StreamEvent => ({ id, time: T0 + offset, fields: { 'cloud.account.id': '111122223333' } });
    // f3 and f4 arrive together; either alone would cross; together they cross once (whichever wins, the other is
    // not later than its alert, or finds the group reset). Several rounds, so both orders are likely to be met.
    for (let round = 0; round < 5; round++) {
      const table = await local.createStateTable();
      const [a, b] = [0, 1].map(() => new DynamoDbStateStore({ client: local.newClient(), tableName: table, now: () => T0 }));
      await evaluateEvent(rule, failure('f1', 0), a as DynamoDbStateStore);
      await evaluateEvent(rule, failure('f2', 1000), b as DynamoDbStateStore);
      const raced = await Promise.all([evaluateEvent(rule, failure('f3', 2000), a as DynamoDbStateStore), evaluateEvent(rule, failure('f4', 3000), b as DynamoDbStateStore)]);
      expect(raced.flat()).toHaveLength(1);
      expect(raced.flat()[0]?.count).toBe(3);
    }
  });

  it('a key changed under every attempt fails retryably', async () => {
    const rule = newTermsRule(['user.name'], 7 * DAY);
    // Another writer wins every round: each of our writes finds a new version.
    let version = 0;
    const busy = {
      get: async () => ({ value: { v: 1, terms: ['alice'], sightings: [], alertedBy: [] }, version: ++version }),
      put: async () => ({ written: false as const }),
    };
    await expect(evaluateEvent(rule, { id: 'e1', time: T0, fields: { 'user.name': 'alice' } }, busy)).rejects.toThrow(StateContentionError);
  });
});

describe('DynamoDB failing', () => {
  const rule = newTermsRule(['user.name'], 7 * DAY);
  const event = { id: 'e1', time: T0, fields: { 'user.name': 'alice' } };

  it('throttling is retried by the SDK: the event is evaluated once, as if nothing happened', async () => {
    const { store } = await storeOn();
    local.clearRequests();
    local.failNext(2, 'throttling', 'GetItem');
    local.failNext(1, 'throughput-exceeded', 'UpdateItem');
    expect(await evaluateEvent(rule, event, store)).toEqual([{ eventId: 'e1', key: ['alice'], repeated: false }]);
    expect(local.requests.map((request) => `${request.operation} ${request.status}`)).toEqual(['GetItem 400', 'GetItem 400', 'GetItem 200', 'UpdateItem 400', 'UpdateItem 200']);
  });

  it('unavailable beyond the retries: the evaluation fails; its retry later alerts once, nothing lost or doubled', async () => {
    const tableName = await local.createStateTable();
    const store = new DynamoDbStateStore({ client: local.newClient({ maxAttempts: 2 }), tableName, now: () => T0 });
    local.failAll('unavailable');
    await expect(evaluateEvent(rule, event, store)).rejects.toThrow(/Service unavailable/);
    local.recover();
    expect(await evaluateEvent(rule, event, store)).toEqual([{ eventId: 'e1', key: ['alice'], repeated: false }]);
    expect(await evaluateEvent(rule, { ...event, id: 'e2', time: T0 + 1 }, store)).toEqual([]);
  });

  it('a write whose answer is lost: the SDK retries it, finds it done, and the alert is still raised', async () => {
    const { store } = await storeOn();
    local.loseAnswerNext(1, 'UpdateItem');
    expect(await evaluateEvent(rule, event, store)).toEqual([{ eventId: 'e1', key: ['alice'], repeated: true }]);
    expect(await evaluateEvent(rule, { ...event, id: 'e2', time: T0 + 1 }, store)).toEqual([]);
  });

  it('a threshold write whose answer is lost never counts the event twice', async () => {
    const { store } = await storeOn();
    const threshold = thresholdRule(['user.name'], 3, 6 * 60_000);
    const at = (id: string, offset: number) => ({ id, time: T0 + offset, fields: { 'user.name': 'alice' } });
    await evaluateEvent(threshold, at('f1', 0), store);
    local.loseAnswerNext(1, 'UpdateItem');
    expect(await evaluateEvent(threshold, at('f2', 1000), store)).toEqual([]);
    const [crossing] = await evaluateEvent(threshold, at('f3', 2000), store);
    expect(crossing?.count).toBe(3);
    expect(crossing?.eventIds).toEqual(['f1', 'f2', 'f3']);
  });
});

describe('expiry', () => {
  const alice = { 'user.name': 'alice' };
  const H = 7 * DAY;

  it('a term expires H plus the lateness allowance after its last sighting, and alerts again after H whether TTL has deleted it yet or not', async () => {
    for (const deleteExpired of [false, true]) {
      const clock = { now: T0 };
      const { store, tableName } = await storeOn(clock);
      const rule = newTermsRule(['user.name'], H);
      await evaluateEvent(rule, { id: 'e1', time: T0, fields: alice }, store);
      const [item] = await local.scanTable(tableName);
      expect(Number(item?.expiresAt?.N)).toBe((T0 + H + DAY) / 1000);
      clock.now = T0 + H + DAY; // TTL may delete it from now on
      if (deleteExpired) {
        const { DeleteItemCommand } = await import('@aws-sdk/client-dynamodb');
        await local.client.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: item?.pk?.S as string } } }));
      }
      expect(await evaluateEvent(rule, { id: 'e2', time: T0 + H + DAY, fields: alice }, store)).toEqual([{ eventId: 'e2', key: ['alice'], repeated: false }]);
    }
  });
});

import { MemoryStateStore, type JsonValue, type StateStore, type WriteCondition } from '../../../src/engine/state';
import { createSequenceMatcher, parseEql, type EqlSequenceQuery } from '../../../src/engine/eql';
import { sequenceRuntime } from '../../../src/engine/stateful/evaluate-sequence';
import { MAX_SEQUENCE_EVENTS, MAX_SEQUENCE_STATE_BYTES } from '../../../src/engine/stateful/sequence';
import { SEQUENCE_LATENESS_MS } from '../../../src/engine/stateful/lateness';
import { stateKey } from '../../../src/engine/stateful/state-keys';
import { evaluateSequenceEvent, MINUTE, runSequenceStream, sequenceRule, T0, type SequenceStreamEvent } from './sequence-harness';
import { dynamoDbStores, memoryStores, type StoreFactory } from './store-fixtures';

/**
 * The traps of a sequence rule on both implementations of the state port: maxspan to the millisecond, `until`,
 * redelivery, events out of order, the lateness allowance, two containers racing on one key, keys no sequence can
 * start under.
 */

const QUERY = `
sequence by user.key with maxspan=15m
  [any where event.action == "List" and user.key like "AKIA*"]
  [any where event.action == "Invoke"]
until [any where event.action == "Revoke"]`;
const MAXSPAN = 15 * MINUTE;

const ev = (id: string, offsetMs: number, action: string, key = 'AKIA1'): SequenceStreamEvent => ({
  id,
  time: T0 + offsetMs,
  fields: { 'event.action': action, 'user.key': key },
});

const stores: StoreFactory[] = [memoryStores(), dynamoDbStores()];

describe.each(stores)('EQL sequence, state $name', (factory) => {
  const rule = sequenceRule(QUERY);
  const run = async (events: SequenceStreamEvent[], latenessMs?: number) =>
    (await runSequenceStream(rule, events, await factory.create(), latenessMs)).map(({ ids, foundBy, repeated }) => ({ ids, foundBy, repeated }));

  it('the two steps alert once, found by the second, with the shared key', async () => {
    const store = await factory.create();
    const alerts = await runSequenceStream(rule, [ev('l', 0, 'List'), ev('i', MINUTE, 'Invoke'), ev('i2', 2 * MINUTE, 'Invoke')], store);
    expect(alerts).toEqual([{ ids: ['l', 'i'], key: ['AKIA1'], foundBy: 'i', repeated: false }]);
  });

  it('maxspan: the second step exactly 15 minutes after the first alerts, 1 ms later does not', async () => {
    expect(await run([ev('l', 0, 'List'), ev('i', MAXSPAN, 'Invoke')])).toEqual([{ ids: ['l', 'i'], foundBy: 'i', repeated: false }]);
    expect(await run([ev('l', 0, 'List'), ev('i', MAXSPAN + 1, 'Invoke')])).toEqual([]);
    // The same edges when the second step is processed first.
    expect(await run([ev('i', MAXSPAN, 'Invoke'), ev('l', 0, 'List')])).toEqual([{ ids: ['l', 'i'], foundBy: 'l', repeated: false }]);
    expect(await run([ev('i', MAXSPAN + 1, 'Invoke'), ev('l', 0, 'List')])).toEqual([]);
  });

  it('the steps must be in time order, and a step of the same time does not follow', async () => {
    expect(await run([ev('i', 0, 'Invoke'), ev('l', MINUTE, 'List')])).toEqual([]);
    expect(await run([ev('l', 0, 'List'), ev('i', 0, 'Invoke')])).toEqual([{ ids: ['l', 'i'], foundBy: 'i', repeated: false }]);
  });

  it('until ends a sequence in progress; after the sequence it changes nothing', async () => {
    expect(await run([ev('l', 0, 'List'), ev('u', MINUTE, 'Revoke'), ev('i', 2 * MINUTE, 'Invoke')])).toEqual([]);
    expect(await run([ev('l', 0, 'List'), ev('i', MINUTE, 'Invoke'), ev('u', 2 * MINUTE, 'Revoke')])).toEqual([{ ids: ['l', 'i'], foundBy: 'i', repeated: false }]);
    // A late until is put in its place: it ends the sequence it falls in, before its second step arrives.
    expect(await run([ev('l', 0, 'List'), ev('u', MINUTE, 'Revoke'), ev('i', 2 * MINUTE, 'Invoke'), ev('l2', 3 * MINUTE, 'List'), ev('i2', 4 * MINUTE, 'Invoke')])).toEqual([
      { ids: ['l2', 'i2'], foundBy: 'i2', repeated: false },
    ]);
    expect(await run([ev('l', 0, 'List'), ev('i', 2 * MINUTE, 'Invoke'), ev('u', MINUTE, 'Revoke')])).toEqual([{ ids: ['l', 'i'], foundBy: 'i', repeated: false }]);
  });

  it('a redelivered event never advances a sequence twice; the event that found one raises the same alert again', async () => {
    expect(await run([ev('l', 0, 'List'), ev('l', 0, 'List'), ev('i', MINUTE, 'Invoke'), ev('i', MINUTE, 'Invoke'), ev('i2', 2 * MINUTE, 'Invoke')])).toEqual([
      { ids: ['l', 'i'], foundBy: 'i', repeated: false },
      { ids: ['l', 'i'], foundBy: 'i', repeated: true },
    ]);
    // The first step redelivered after the sequence: taken already, it starts nothing new.
    expect(await run([ev('l', 0, 'List'), ev('i', MINUTE, 'Invoke'), ev('l', 0, 'List'), ev('i2', 2 * MINUTE, 'Invoke')])).toEqual([
      { ids: ['l', 'i'], foundBy: 'i', repeated: false },
    ]);
  });

  it('disorder: a first step processed after its second still makes the sequence', async () => {
    expect(await run([ev('i', 3 * MINUTE, 'Invoke'), ev('l', 0, 'List')])).toEqual([{ ids: ['l', 'i'], foundBy: 'l', repeated: false }]);
  });

  it('disorder: a late first step closer to the second is a sequence of its own, as a later search would find it', async () => {
    expect(await run([ev('l1', 0, 'List'), ev('i', 3 * MINUTE, 'Invoke'), ev('l2', 2 * MINUTE, 'List')])).toEqual([
      { ids: ['l1', 'i'], foundBy: 'i', repeated: false },
      { ids: ['l2', 'i'], foundBy: 'l2', repeated: false },
    ]);
  });

  it('lateness: a step more than maxspan plus the allowance behind the newest event of its key is not placed', async () => {
    const newest = MAXSPAN + SEQUENCE_LATENESS_MS;
    expect(await run([ev('i', newest, 'Invoke'), ev('x', newest + 1, 'Invoke'), ev('l', 0, 'List')])).toEqual([]);
    expect(await run([ev('i', newest, 'Invoke'), ev('x', newest, 'Invoke'), ev('l', newest - MAXSPAN, 'List')])).toEqual([
      { ids: ['l', 'i'], foundBy: 'l', repeated: false },
    ]);
  });

  it('keys are independent', async () => {
    expect(await run([ev('l', 0, 'List', 'AKIA1'), ev('i', MINUTE, 'Invoke', 'AKIA2')])).toEqual([]);
  });

  it('two containers racing on one key give one alert', async () => {
    const store = await factory.create();
    await evaluateSequenceEvent(rule, ev('l', 0, 'List'), store);
    const racing = await Promise.all([evaluateSequenceEvent(rule, ev('i1', MINUTE, 'Invoke'), store), evaluateSequenceEvent(rule, ev('i2', MINUTE, 'Invoke'), store)]);
    expect(racing.flat()).toHaveLength(1);
    // Both steps racing in: whichever is written second finds the sequence.
    const fresh = await factory.create();
    const both = await Promise.all([evaluateSequenceEvent(rule, ev('l', 0, 'List'), fresh), evaluateSequenceEvent(rule, ev('i', MINUTE, 'Invoke'), fresh)]);
    expect(both.flat().map((alert) => alert.ids)).toEqual([['l', 'i']]);
  });

  it('state expires after maxspan plus the allowance, and a key keeps at most MAX_SEQUENCE_EVENTS', async () => {
    const store = await factory.create();
    await evaluateSequenceEvent(rule, ev('l', 0, 'List'), store);
    const key = stateKey('sequence', rule.ruleId, [JSON.stringify('AKIA1')]);
    expect(await store.get(key)).toBeDefined();
    store.observe(T0 + MAXSPAN + SEQUENCE_LATENESS_MS + 1000);
    expect(await store.get(key)).toBeUndefined();

    const busy = await factory.create();
    for (let i = 0; i < MAX_SEQUENCE_EVENTS + 5; i++) await evaluateSequenceEvent(rule, ev(`i${i}`, i, 'Invoke'), busy);
    const state = (await busy.get(key))?.value as { events: unknown[]; dropped: number };
    expect(state.events).toHaveLength(MAX_SEQUENCE_EVENTS);
    expect(state.dropped).toBe(5);
  });
});

describe('a key whose events carry much', () => {
  it('stays under MAX_SEQUENCE_STATE_BYTES, dropping its oldest events, and still finds the sequence', async () => {
    const fields = Array.from({ length: 30 }, (_, i) => `big.f${i}`);
    const parsed = parseEql('sequence by user.key [any where event.action == "List"] [any where event.action == "Invoke"]') as EqlSequenceQuery;
    const rule = sequenceRuntime('big-rule', createSequenceMatcher(parsed), 30 * MINUTE, fields);
    const big = Object.fromEntries(fields.map((field, i) => [field, Array.from({ length: 5 }, (_, j) => `${'x'.repeat(300)}${i}-${j}`)]));
    const store = new MemoryStateStore();
    for (let i = 0; i < 20; i++) await evaluateSequenceEvent(rule, { id: `l${i}`, time: T0 + i * 1000, fields: { 'event.action': 'List', 'user.key': 'k', ...big } }, store);
    const [entry] = store.snapshot().entries;
    const state = entry?.value as { events: unknown[]; dropped: number };
    expect(Buffer.byteLength(JSON.stringify(state), 'utf8')).toBeLessThanOrEqual(MAX_SEQUENCE_STATE_BYTES + 1024);
    expect(state.dropped).toBeGreaterThan(0);
    const alerts = await evaluateSequenceEvent(rule, { id: 'i', time: T0 + 30_000, fields: { 'event.action': 'Invoke', 'user.key': 'k' } }, store);
    expect(alerts.map((alert) => alert.ids)).toEqual([['l19', 'i']]);
  });
});

describe('keys no sequence can start under', () => {
  class CountingStore extends MemoryStateStore {
    reads = 0;
    writes = 0;
    override async get(key: string) {
      this.reads += 1;
      return super.get(key);
    }
    override async put(key: string, value: JsonValue, condition: WriteCondition, expiresAt: number) {
      this.writes += 1;
      return super.put(key, value, condition, expiresAt);
    }
  }

  it('an invocation under a role key (the first step wants AKIA*) never touches the state', async () => {
    const store = new CountingStore();
    const rule = sequenceRule(QUERY);
    expect(await runSequenceStream(rule, [ev('l', 0, 'List', 'ASIA9'), ev('i', MINUTE, 'Invoke', 'ASIA9')], store as StateStore)).toEqual([]);
    expect({ reads: store.reads, writes: store.writes }).toEqual({ reads: 0, writes: 0 });
    await runSequenceStream(rule, [ev('i', MINUTE, 'Invoke', 'AKIA9')], store);
    expect({ reads: store.reads, writes: store.writes }).toEqual({ reads: 1, writes: 1 });
  });
});

describe('a key with many sequences in its window', () => {
  it('alerts each once, however many it has alerted before', async () => {
    const rule = sequenceRule(QUERY);
    const events = Array.from({ length: 60 }, (_, i) => [ev(`l${i}`, i * 10_000, 'List'), ev(`i${i}`, i * 10_000 + 5000, 'Invoke')]).flat();
    const alerts = await runSequenceStream(rule, events, new MemoryStateStore());
    expect(alerts.map((alert) => alert.ids.join(' '))).toEqual(Array.from({ length: 60 }, (_, i) => `l${i} i${i}`));
  });
});

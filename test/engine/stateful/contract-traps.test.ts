import { MAX_GROUP_EVENTS, stateKey } from '../../../src/engine/stateful';
import { dynamoDbStores, memoryStores, type StoreFactory } from './store-fixtures';
import { newTermsRule, runStream, thresholdRule, type StreamEvent } from './stream-harness';

/**
 * Each trap of ../shared/reference/stateful-rules.md, on both implementations of the state port: the in-memory
 * store of `scan` and the DynamoDB store of the Lambda (against dynalite).
 */

const T0 = Date.parse('2026-11-20T10:00:00Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;
const H = 7 * DAY;
const W = 6 * MINUTE;

const at = (offsetMs: number): number => T0 + offsetMs;
const ev = (id: string, time: number, fields: Record<string, unknown>): StreamEvent => ({ id, time, fields });
const alice = { 'cloud.account.id': '111122223333', 'user.name': 'alice' };
const rootFailure = (id: string, time: number, extra: Record<string, unknown> = {}) => ev(id, time, { 'cloud.account.id': '111122223333', ...extra });

const stores: StoreFactory[] = [memoryStores(), dynamoDbStores()];

describe.each(stores)('new_terms, state $name', (factory) => {
  const rule = newTermsRule(['cloud.account.id', 'user.name'], H);
  // Some traps process events days out of order; allow it (the default allowance is one day, lateness.ts).
  const run = async (events: StreamEvent[]) =>
    (await runStream(rule, events, await factory.create(), { newTermsLatenessMs: 30 * DAY })).map(({ eventId, key, repeated }) => ({ eventId, key, repeated }));

  it('a first sighting alerts with the values in field order; a second within H does not', async () => {
    expect(await run([ev('e1', at(0), alice), ev('e2', at(DAY), alice)])).toEqual([{ eventId: 'e1', key: ['111122223333', 'alice'], repeated: false }]);
  });

  it('window edges: a sighting exactly H before does not count, one a millisecond less does', async () => {
    expect(await run([ev('e1', at(0), alice), ev('e2', at(H), alice)]).then((alerts) => alerts.map((a) => a.eventId))).toEqual(['e1', 'e2']);
    expect(await run([ev('e1', at(0), alice), ev('e2', at(H - 1), alice)]).then((alerts) => alerts.map((a) => a.eventId))).toEqual(['e1']);
  });

  it('window edges, both sides: between two sightings exactly 2H apart, the middle is new', async () => {
    const alerts = await run([ev('e1', at(0), alice), ev('e2', at(2 * H), alice), ev('e3', at(H), alice), ev('e4', at(H + 1), alice)]);
    expect(alerts.map((a) => a.eventId)).toEqual(['e1', 'e2', 'e3']);
  });

  it('disorder: a later sighting processed first makes an earlier event within H not new', async () => {
    expect(await run([ev('late', at(10 * SECOND), alice), ev('early', at(0), alice)]).then((alerts) => alerts.map((a) => a.eventId))).toEqual(['late']);
    // ... but exactly H later is outside |t' - t| < H.
    expect(await run([ev('later', at(H), alice), ev('early', at(0), alice)]).then((alerts) => alerts.map((a) => a.eventId))).toEqual(['later', 'early']);
  });

  it('multi-valued fields: every combination is a term, one alert each, the known ones silent', async () => {
    const alerts = await run([
      ev('e1', at(0), { 'cloud.account.id': '111122223333', 'user.name': 'bob' }),
      ev('e2', at(MINUTE), { 'cloud.account.id': ['111122223333', '444455556666'], 'user.name': ['alice', 'bob'] }),
    ]);
    expect(alerts.map((a) => [a.eventId, ...a.key])).toEqual([
      ['e1', '111122223333', 'bob'],
      ['e2', '111122223333', 'alice'],
      ['e2', '444455556666', 'alice'],
      ['e2', '444455556666', 'bob'],
    ]);
  });

  it('missing fields: an event without a value of every field has no term, raises nothing and records nothing', async () => {
    const alerts = await run([ev('e1', at(0), { 'cloud.account.id': '111122223333' }), ev('e2', at(1), { 'user.name': 'alice' }), ev('e3', at(2), { ...alice, 'user.name': [] }), ev('e4', at(3), alice)]);
    expect(alerts.map((a) => a.eventId)).toEqual(['e4']);
  });

  it('numbers and booleans are terms as their text', async () => {
    const numeric = newTermsRule(['source.as.number'], H);
    const alerts = await runStream(numeric, [ev('e1', at(0), { 'source.as.number': 16509 }), ev('e2', at(1), { 'source.as.number': '16509' })], await factory.create());
    expect(alerts.map((a) => [a.eventId, a.key])).toEqual([['e1', ['16509']]]);
  });

  it('re-delivery: the same event again raises the same alert again (delivery drops it), never a new one', async () => {
    const alerts = await run([ev('e1', at(0), alice), ev('e2', at(MINUTE), alice), ev('e1', at(0), alice), ev('e2', at(MINUTE), alice)]);
    expect(alerts).toEqual([
      { eventId: 'e1', key: ['111122223333', 'alice'], repeated: false },
      { eventId: 'e1', key: ['111122223333', 'alice'], repeated: true },
    ]);
  });

  it('a term not seen for longer than H is new again', async () => {
    const alerts = await run([ev('e1', at(0), alice), ev('e2', at(3 * DAY), alice), ev('e3', at(3 * DAY + H + SECOND), alice)]);
    expect(alerts.map((a) => a.eventId)).toEqual(['e1', 'e3']);
  });

  it('state more than the lateness allowance behind the newest event is forgotten: a term holds a few clusters', async () => {
    const store = await factory.create();
    const daily = Array.from({ length: 60 }, (_, day) => ev(`d${day}`, at(day * 3 * H), alice));
    expect(await runStream(rule, daily, store)).toHaveLength(60);
    const stored = await store.get(stateKey('new_terms', rule.ruleId, ['111122223333', 'alice']));
    expect((stored?.value as { sightings: unknown[] }).sightings).toEqual([[at(59 * 3 * H), at(59 * 3 * H)]]);
  });

  it('terms of different rules never meet', async () => {
    const store = await factory.create();
    const other = newTermsRule(['cloud.account.id', 'user.name'], H, 'another-rule');
    expect(await runStream(rule, [ev('e1', at(0), alice)], store)).toHaveLength(1);
    expect(await runStream(other, [ev('e2', at(1), alice)], store)).toHaveLength(1);
  });
});

describe.each(stores)('threshold, state $name', (factory) => {
  const run = async (rule: ReturnType<typeof thresholdRule>, events: StreamEvent[]) => runStream(rule, events, await factory.create());
  const burst = (prefix: string, count: number, start: number, spacing: number, extra: (i: number) => Record<string, unknown> = () => ({})) =>
    Array.from({ length: count }, (_, i) => rootFailure(`${prefix}${i + 1}`, start + i * spacing, extra(i)));

  it('alerts on the event that brings the group to N within W, with count, from and the events counted', async () => {
    const alerts = await run(thresholdRule(['cloud.account.id'], 10, W), burst('f', 12, at(0), 20 * SECOND));
    expect(alerts).toEqual([
      {
        eventId: 'f10',
        key: ['111122223333'],
        repeated: false,
        count: 10,
        from: at(0),
        distinct: null,
        sources: 0,
        eventIds: ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9', 'f10'],
      },
    ]);
  });

  it('the alert says from how many source addresses the counted events came', async () => {
    const ips = ['192.0.2.1', '192.0.2.2', '192.0.2.1', '192.0.2.3'];
    const alerts = await run(thresholdRule(['cloud.account.id'], 4, W), burst('f', 4, at(0), SECOND, (i) => ({ 'source.address': ips[i] })));
    expect(alerts.map((a) => [a.eventId, a.count, a.sources])).toEqual([['f4', 4, 3]]);
  });

  it('window edges: an event exactly W before is outside (t - W, t]', async () => {
    const rule = thresholdRule(['cloud.account.id'], 2, W);
    expect(await run(rule, [rootFailure('a', at(0)), rootFailure('b', at(W))])).toEqual([]);
    expect((await run(rule, [rootFailure('a', at(0)), rootFailure('b', at(W - 1))])).map((a) => a.eventId)).toEqual(['b']);
  });

  it('reset after an alert: the next alert needs N events later than the last alert time (strictly)', async () => {
    const rule = thresholdRule(['cloud.account.id'], 3, W);
    const alerts = await run(rule, [
      ...burst('a', 3, at(0), SECOND),
      rootFailure('same-second', at(2 * SECOND)), // at the last alert time: not later, never counted
      ...burst('b', 2, at(3 * SECOND), SECOND),
      rootFailure('b3', at(5 * SECOND)),
    ]);
    expect(alerts.map((a) => [a.eventId, a.count, a.from])).toEqual([
      ['a3', 3, at(0)],
      ['b3', 3, at(3 * SECOND)],
    ]);
  });

  it('multi-valued group fields put the event in each group; a missing group field puts it in none', async () => {
    const rule = thresholdRule(['source.ip'], 2, W);
    const alerts = await run(rule, [
      rootFailure('e1', at(0), { 'source.ip': ['192.0.2.1', '192.0.2.2'] }),
      rootFailure('e2', at(SECOND)),
      rootFailure('e3', at(2 * SECOND), { 'source.ip': '192.0.2.2' }),
      rootFailure('e4', at(3 * SECOND), { 'source.ip': '192.0.2.1' }),
    ]);
    expect(alerts.map((a) => [a.eventId, a.key, a.count])).toEqual([
      ['e3', ['192.0.2.2'], 2],
      ['e4', ['192.0.2.1'], 2],
    ]);
  });

  it('no group-by field: one group for every event', async () => {
    const alerts = await run(thresholdRule([], 2, W), [rootFailure('e1', at(0)), ev('e2', at(SECOND), {})]);
    expect(alerts.map((a) => [a.eventId, a.key, a.count])).toEqual([['e2', [], 2]]);
  });

  it('disorder: a late event is counted in its own window, and from is the earliest time counted', async () => {
    const rule = thresholdRule(['cloud.account.id'], 3, W);
    // The late event's window (t - 6 min, t] holds only itself: e1 and e2 are after it.
    expect(await run(rule, [rootFailure('e1', at(MINUTE)), rootFailure('e2', at(2 * MINUTE)), rootFailure('late', at(0))])).toEqual([]);
    const crossing = await run(rule, [rootFailure('e1', at(MINUTE)), rootFailure('e2', at(2 * MINUTE)), rootFailure('e3', at(3 * MINUTE)), rootFailure('late', at(30 * SECOND))]);
    expect(crossing.map((a) => [a.eventId, a.count, a.from])).toEqual([['e3', 3, at(MINUTE)]]);
  });

  it('disorder: a late event can complete its own window', async () => {
    const rule = thresholdRule(['cloud.account.id'], 3, W);
    const alerts = await run(rule, [rootFailure('e1', at(0)), rootFailure('e3', at(10 * MINUTE)), rootFailure('e2', at(MINUTE)), rootFailure('e4', at(2 * MINUTE))]);
    // e4 at 2 min: S = {e1 (0), e2 (1 min), e4} within (2 min - 6 min, 2 min]; e3 at 10 min is after t.
    expect(alerts.map((a) => [a.eventId, a.count, a.from])).toEqual([['e4', 3, at(0)]]);
  });

  it('re-delivery: the same event id counts once; the crossing event again raises the same alert again', async () => {
    const rule = thresholdRule(['cloud.account.id'], 3, W);
    const alerts = await run(rule, [rootFailure('e1', at(0)), rootFailure('e1', at(0)), rootFailure('e2', at(SECOND)), rootFailure('e2', at(SECOND)), rootFailure('e3', at(2 * SECOND)), rootFailure('e3', at(2 * SECOND))]);
    expect(alerts.map((a) => [a.eventId, a.count, a.repeated])).toEqual([
      ['e3', 3, false],
      ['e3', 3, true],
    ]);
  });

  it('cardinality: N events are not enough until M distinct values; a missing value counts in |S| but not in M', async () => {
    const rule = thresholdRule(['user.id'], 1, W, { field: 'aws.cloudtrail.request_parameters', value: 3 });
    const secretRead = (id: string, time: number, secret?: string) =>
      ev(id, time, { 'user.id': 'AROAEXAMPLE:app', ...(secret ? { 'aws.cloudtrail.request_parameters': `{secretId=${secret}}` } : {}) });
    const alerts = await run(rule, [
      secretRead('r1', at(0), 'db'),
      secretRead('r2', at(SECOND), 'db'),
      secretRead('r3', at(2 * SECOND)),
      secretRead('r4', at(3 * SECOND), 'api'),
      secretRead('r5', at(4 * SECOND), 'db'),
      secretRead('r6', at(5 * SECOND), 'payments'),
    ]);
    expect(alerts.map((a) => [a.eventId, a.count, a.distinct, a.from])).toEqual([['r6', 6, 3, at(0)]]);
  });

  it('cardinality: distinct values are counted over the window only', async () => {
    const rule = thresholdRule([], 1, W, { field: 'event.id', value: 3 });
    const alerts = await run(rule, [ev('a', at(0), { 'event.id': 'a' }), ev('b', at(MINUTE), { 'event.id': 'b' }), ev('c', at(W), { 'event.id': 'c' }), ev('d', at(W + SECOND), { 'event.id': 'd' })]);
    expect(alerts.map((a) => [a.eventId, a.count, a.distinct])).toEqual([['d', 3, 3]]);
  });

  it('a busy group without a crossing keeps at most MAX_GROUP_EVENTS events', async () => {
    const store = await factory.create();
    const rule = thresholdRule([], 1, W, { field: 'secret', value: 5 });
    const events = Array.from({ length: MAX_GROUP_EVENTS + 50 }, (_, i) => ev(`busy-${i}`, at(Math.floor(i / 10) * 100), { secret: `s${i % 4}` }));
    expect(await runStream(rule, events, store)).toEqual([]);
    const stored = await store.get(stateKey('threshold', 'threshold-rule', []));
    const state = stored?.value as { events: unknown[]; dropped: number };
    expect(state.events).toHaveLength(MAX_GROUP_EVENTS);
    expect(state.dropped).toBe(50);
    expect(Buffer.byteLength(JSON.stringify(state))).toBeLessThan(100 * 1024);
  });
});

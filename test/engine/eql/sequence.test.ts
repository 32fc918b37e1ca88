/**
 * The sequence state machine, driven event by event with the state of each key stored as JSON in between (as a
 * DynamoDB item would be), and compared with the batch runner.
 */
import {
  createSequenceMatcher,
  parseEql,
  runEql,
  type EqlSequenceQuery,
  type SequenceKeyState,
  type SequenceMatcher,
} from '../../../src/engine/eql';

interface TestEvent {
  readonly id: string;
  readonly t: number;
  readonly [field: string]: unknown;
}

function sequenceQuery(text: string): EqlSequenceQuery {
  const query = parseEql(text);
  if (query.kind !== 'sequence') throw new Error('not a sequence');
  return query;
}

/** Feeds the events in order; returns the matches as `key: id id id` lines (`-` for a missing event). */
function stream(matcher: SequenceMatcher, events: readonly TestEvent[], options: { flush?: boolean } = {}) {
  const store = new Map<string, string>();
  const found: string[] = [];
  const record = (matches: ReturnType<SequenceMatcher['step']>['matches']) => {
    for (const match of matches) found.push(`${match.key.join(',')}: ${match.events.map((event) => (event ? event.ref : '-')).join(' ')}`);
  };
  for (const event of events) {
    for (const route of matcher.route(event)) {
      const stored = store.get(route.keyId);
      const before = stored === undefined ? undefined : (JSON.parse(stored) as SequenceKeyState);
      const frozen = JSON.stringify(before);
      const { state, matches } = matcher.step(before, route, { timestamp: event.t, ref: event.id });
      expect(JSON.stringify(before)).toBe(frozen); // step never changes the state it is given
      if (state) store.set(route.keyId, JSON.stringify(state));
      else store.delete(route.keyId);
      record(matches);
    }
  }
  if (options.flush) for (const stored of store.values()) record(matcher.flush(JSON.parse(stored) as SequenceKeyState));
  return { found, store };
}

const event = (id: string, t: number, fields: Record<string, unknown> = {}): TestEvent => ({ id, t, 'event.category': 'x', ...fields });

describe('sequence matching', () => {
  test('each stage takes the latest earlier sequence of its key and drops the older ones', () => {
    const matcher = createSequenceMatcher(sequenceQuery('sequence [x where step == 1] [x where step == 2]'));
    const { found } = stream(matcher, [event('a', 1, { step: 1 }), event('b', 2, { step: 1 }), event('c', 3, { step: 2 }), event('d', 4, { step: 2 })]);
    expect(found).toEqual([': b c']);
  });

  test('one event never fills two stages of the same sequence; overlapping sequences are found', () => {
    const matcher = createSequenceMatcher(sequenceQuery('sequence [x where n <= 3] [x where true] [x where true]'));
    const events = [1, 2, 3, 4, 5, 6].map((n) => event(`e${n}`, n, { n }));
    expect(stream(matcher, events).found).toEqual([': e1 e2 e3', ': e2 e3 e4', ': e3 e4 e5']);
  });

  test('by keys split sequences; a stage key joins the sequence key; multi-valued keys make one key per value', () => {
    const matcher = createSequenceMatcher(sequenceQuery('sequence by host [x where step == 1] by user [x where step == 2] by target'));
    const { found } = stream(matcher, [
      event('a', 1, { host: 'h1', user: ['u1', 'u2'], step: 1 }),
      event('b', 2, { host: 'h2', user: 'u1', step: 1 }),
      event('c', 3, { host: 'h1', target: 'u2', step: 2 }),
      event('d', 4, { host: 'h2', target: ['u1', 'u9'], step: 2 }),
    ]);
    expect(found).toEqual(['h1,u2: a c', 'h2,u1: b d']);
  });

  test('a required key field without a value keeps the event out; an optional one joins under null', () => {
    const required = createSequenceMatcher(sequenceQuery('sequence by user [x where step == 1] [x where step == 2]'));
    expect(stream(required, [event('a', 1, { step: 1 }), event('b', 2, { step: 2 })]).found).toEqual([]);
    const optional = createSequenceMatcher(sequenceQuery('sequence by ?user [x where step == 1] [x where step == 2]'));
    expect(stream(optional, [event('a', 1, { step: 1 }), event('b', 2, { step: 2, user: null })]).found).toEqual([': a b']);
  });

  test('maxspan: the last event may be exactly maxspan after the first, not one millisecond more', () => {
    const matcher = createSequenceMatcher(sequenceQuery('sequence with maxspan=10s [x where step == 1] [x where step == 2]'));
    expect(stream(matcher, [event('a', 0, { step: 1 }), event('b', 10_000, { step: 2 })]).found).toEqual([': a b']);
    expect(stream(matcher, [event('a', 0, { step: 1 }), event('b', 10_001, { step: 2 })]).found).toEqual([]);
  });

  test('until ends the sequences in progress of its key, not complete ones nor other keys', () => {
    const matcher = createSequenceMatcher(sequenceQuery('sequence by k [x where step == 1] [x where step == 2] until [x where step == 0]'));
    const { found } = stream(matcher, [
      event('a', 1, { k: 1, step: 1 }),
      event('b', 2, { k: 2, step: 1 }),
      event('stop', 3, { k: 1, step: 0 }),
      event('c', 4, { k: 1, step: 2 }),
      event('d', 5, { k: 2, step: 2 }),
    ]);
    expect(found).toEqual(['2: b d']);
  });

  test('with runs=N repeats a stage', () => {
    const matcher = createSequenceMatcher(sequenceQuery('sequence [x where step == 1] with runs=2 [x where step == 2]'));
    expect(matcher.stages).toHaveLength(3);
    expect(stream(matcher, [event('a', 1, { step: 1 }), event('b', 2, { step: 2 })]).found).toEqual([]);
    expect(stream(matcher, [event('a', 1, { step: 1 }), event('b', 2, { step: 1 }), event('c', 3, { step: 2 })]).found).toEqual([': a b c']);
  });

  test('events with the same timestamp follow the order they arrive in (or their tiebreaker)', () => {
    const matcher = createSequenceMatcher(sequenceQuery('sequence [x where step == 1] [x where step == 2]'));
    expect(stream(matcher, [event('a', 5, { step: 1 }), event('b', 5, { step: 2 })]).found).toEqual([': a b']);
    const route = matcher.route(event('a', 5, { step: 1 }))[0];
    const first = matcher.step(undefined, route, { timestamp: 5, tiebreaker: 2, ref: 'a' });
    const second = matcher.step(first.state, matcher.route(event('b', 5, { step: 2 }))[0], { timestamp: 5, tiebreaker: 1, ref: 'b' });
    expect(second.matches).toEqual([]);
  });

  test('the state keeps one sequence per stage however many events start one', () => {
    const matcher = createSequenceMatcher(sequenceQuery('sequence by k [x where step == 1] [x where step == 2] [x where step == 3]'));
    const events = Array.from({ length: 1000 }, (_, i) => event(`s${i}`, i, { k: 'same', step: i % 2 === 0 ? 1 : 2 }));
    const { store } = stream(matcher, events);
    const state = JSON.parse(store.get('["same"]') as string) as SequenceKeyState;
    // The last event (a step 2) took the only step-1 sequence left.
    expect(state.waiting.map((group) => group.length)).toEqual([0, 1]);
    expect(JSON.stringify(state).length).toBeLessThan(600);
  });

  test('nothing is stored for a key once nothing can complete any more', () => {
    const matcher = createSequenceMatcher(sequenceQuery('sequence by k with maxspan=1s [x where step == 1] [x where step == 2]'));
    const { store } = stream(matcher, [event('a', 0, { k: 1, step: 1 }), event('b', 5000, { k: 1, step: 2 })]);
    expect(store.size).toBe(0);
  });

  test('advance forgets what maxspan rules out; expiresAt says when', () => {
    const matcher = createSequenceMatcher(sequenceQuery('sequence by k with maxspan=1m [x where step == 1] [x where step == 2]'));
    const [route] = matcher.route(event('a', 0, { k: 1, step: 1 }));
    const { state } = matcher.step(undefined, route, { timestamp: 1000, ref: 'a' });
    expect(state && matcher.expiresAt(state)).toBe(61_000);
    expect(matcher.advance(state, 61_000).state).toEqual(state);
    expect(matcher.advance(state, 61_001).state).toBeUndefined();
  });

  test('a query without maxspan never expires by time', () => {
    const matcher = createSequenceMatcher(sequenceQuery('sequence [x where step == 1] [x where step == 2]'));
    const [route] = matcher.route(event('a', 0, { step: 1 }));
    const { state } = matcher.step(undefined, route, { timestamp: 0, ref: 'a' });
    expect(state && matcher.expiresAt(state)).toBeUndefined();
    expect(matcher.advance(state, 10 ** 12).state).toEqual(state);
  });

  test('an event without a usable timestamp is a programming error, said plainly', () => {
    const matcher = createSequenceMatcher(sequenceQuery('sequence [x where step == 1] [x where step == 2]'));
    const [route] = matcher.route(event('a', 0, { step: 1 }));
    expect(() => matcher.step(undefined, route, { timestamp: Number.NaN, ref: 'a' })).toThrow('a sequence event needs a finite timestamp in epoch milliseconds, got NaN');
  });

  test('an event irrelevant to every stage has no route', () => {
    const matcher = createSequenceMatcher(sequenceQuery('sequence [x where step == 1] [x where step == 2]'));
    expect(matcher.route(event('a', 0, { step: 3 }))).toEqual([]);
    expect(matcher.route({ step: 1 })).toEqual([]);
  });
});

describe('missing events', () => {
  const query = (stages: string) => createSequenceMatcher(sequenceQuery(`sequence with maxspan=1s ${stages}`));

  test('between two stages: such an event strictly between them discards the sequence', () => {
    const matcher = query('[x where tag == "n"] ![x where tag == "m"] [x where tag == "n"]');
    const events = [event('1', 1, { tag: 'n' }), event('2', 2, { tag: 'n' }), event('3', 3, { tag: 'm' }), event('4', 4, { tag: 'n' })];
    expect(stream(matcher, events).found).toEqual([': 1 - 2']);
  });

  test('trailing: the sequence waits for its window, then stands, unless such an event comes within maxspan', () => {
    const matcher = query('[x where tag == "n"] ![x where tag == "m"]');
    expect(stream(matcher, [event('1', 0, { tag: 'n' }), event('2', 500, { tag: 'm' })]).found).toEqual([]);
    expect(stream(matcher, [event('1', 0, { tag: 'n' }), event('2', 1500, { tag: 'm' })]).found).toEqual([': 1 -']);
    // Nothing else happens to the key: the match waits until time passes its window, or the stream ends.
    const pending = stream(matcher, [event('1', 0, { tag: 'n' })]);
    expect(pending.found).toEqual([]);
    const state = JSON.parse([...pending.store.values()][0]) as SequenceKeyState;
    expect(matcher.expiresAt(state)).toBe(1000);
    expect(matcher.advance(state, 1000).matches).toEqual([]);
    expect(matcher.advance(state, 1001).matches.map((match) => match.events.map((e) => e?.ref ?? '-'))).toEqual([['1', '-']]);
    expect(stream(matcher, [event('1', 0, { tag: 'n' })], { flush: true }).found).toEqual([': 1 -']);
  });

  test('leading: a sequence stands unless such an event came within maxspan before its last event', () => {
    const matcher = query('![x where tag == "m"] [x where tag == "n"]');
    expect(stream(matcher, [event('1', 0, { tag: 'm' }), event('2', 500, { tag: 'n' })]).found).toEqual([]);
    expect(stream(matcher, [event('1', 0, { tag: 'm' }), event('2', 1500, { tag: 'n' })]).found).toEqual([': - 2']);
  });

  test('matches the batch runner on the same events', () => {
    const text = 'sequence by k with maxspan=1s [x where tag == "n"] ![x where tag == "m"] [x where tag == "n"] ![x where tag == "m"]';
    const events = [
      event('1', 1, { k: 'a', tag: 'n' }),
      event('2', 2, { k: 'a', tag: 'n' }),
      event('3', 3, { k: 'b', tag: 'm' }),
      event('4', 4, { k: 'a', tag: 'n' }),
      event('5', 5, { k: 'b', tag: 'n' }),
      event('6', 6, { k: 'b', tag: 'n' }),
      event('7', 2000, { k: 'a', tag: 'm' }),
    ];
    const streamed = stream(createSequenceMatcher(sequenceQuery(text)), events, { flush: true }).found.sort();
    const batch = runEql(sequenceQuery(text), events, { timestampField: 't', size: 100 });
    if (batch.kind !== 'sequences') throw new Error('expected sequences');
    const batched = batch.sequences.map((sequence) => `${sequence.key.join(',')}: ${sequence.events.map((hit) => (hit ? events[hit.index].id : '-')).join(' ')}`).sort();
    expect(streamed).toEqual(batched);
    expect(batched).toEqual(['a: 1 - 2 -', 'a: 2 - 4 -', 'b: 5 - 6 -']);
  });
});

describe('runEql', () => {
  const events = [event('c', 3, { n: 3 }), event('a', 1, { n: 1 }), event('b', 1, { n: 2 }), { id: 'no-time', n: 4 }];

  test('orders events by timestamp, then tiebreaker, then position, and skips events without a timestamp', () => {
    const result = runEql(parseEql('x where true'), events, { timestampField: 't', tiebreakerField: 'n' });
    expect(result.kind === 'events' && result.events.map((hit) => (hit.document as TestEvent).id)).toEqual(['a', 'b', 'c']);
  });

  test('head and tail apply in order, then size', () => {
    const ids = (text: string, size?: number) => {
      const result = runEql(parseEql(text), events, { timestampField: 't', ...(size ? { size } : {}) });
      return result.kind === 'events' ? result.events.map((hit) => (hit.document as TestEvent).id) : [];
    };
    expect(ids('x where true | tail 2')).toEqual(['b', 'c']);
    expect(ids('x where true | head 2 | tail 1')).toEqual(['b']);
    expect(ids('x where true', 1)).toEqual(['a']);
  });

  test('reads epoch milliseconds, digit strings and ISO-8601 timestamps', () => {
    const documents = [
      { '@timestamp': '2022-05-04T12:00:00.001Z', event: { category: 'x' }, id: 'iso' },
      { '@timestamp': '1651665600000', event: { category: 'x' }, id: 'digits' },
      { '@timestamp': 1651665599999, event: { category: 'x' }, id: 'number' },
      { '@timestamp': '2022-05-04T12:00:00.0005', event: { category: 'x' }, id: 'utc' },
      { '@timestamp': '2022-05-04T13:59:59+02:00', event: { category: 'x' }, id: 'offset' },
      { '@timestamp': 'yesterday', event: { category: 'x' }, id: 'unreadable' },
    ];
    const result = runEql(parseEql('x where true'), documents);
    // Without an offset an ISO date is UTC, whatever the machine's time zone.
    expect(result.kind === 'events' && result.events.map((hit) => (hit.document as { id: string }).id)).toEqual(['offset', 'number', 'digits', 'utc', 'iso']);
  });
});

import { compileKql, evaluateKql, fieldsOf, parseKql } from '../../../src/engine/kql';

const matches = (query: string, document: unknown): boolean => evaluateKql(parseKql(query), document);

describe('seed rule: RDS snapshot export', () => {
  const query =
    'event.dataset:aws.cloudtrail and event.provider:rds.amazonaws.com and event.action:StartExportTask and event.outcome:success';
  const rule = compileKql(parseKql(query));
  const event = (action: string, outcome: string): unknown => ({
    '@timestamp': '2024-05-01T10:00:00Z',
    event: { dataset: 'aws.cloudtrail', provider: 'rds.amazonaws.com', action, outcome },
    cloud: { region: 'eu-west-1' },
  });

  test('fires on a successful StartExportTask', () => {
    expect(rule(event('StartExportTask', 'success'))).toBe(true);
  });

  test('is case-sensitive like a keyword field', () => {
    expect(rule(event('startexporttask', 'success'))).toBe(false);
    expect(rule(event('StartExportTask', 'Success'))).toBe(false);
  });

  test('stays silent on a failed call', () => {
    expect(rule(event('StartExportTask', 'failure'))).toBe(false);
  });

  test('reads the four fields', () => {
    expect(fieldsOf(parseKql(query))).toEqual(['event.dataset', 'event.provider', 'event.action', 'event.outcome']);
  });
});

describe('negation, arrays and missing fields', () => {
  test.each([
    ['not a:x', {}, true],
    ['not a:x', { a: null }, true],
    ['not a:x', { a: ['y', 'z'] }, true],
    ['not a:x', { a: ['y', 'x'] }, false],
    ['a:(not x)', {}, true],
    ['a:(not x)', { a: ['x', 'y'] }, false],
    ['a:(x and y)', { a: ['x', 'y'] }, true],
    ['a:(x and y)', { a: 'x' }, false],
    ['a:(* and not (A* or "B"))', {}, false],
    ['a:(* and not (A* or "B"))', { a: 'Cloud' }, true],
    ['a:(* and not (A* or "B"))', { a: 'Amazon' }, false],
    ['not a > 1', {}, true],
    ['a.b:1', { a: [{ b: 2 }, { b: [3, 1] }] }, true],
    ['not a.b:1', { a: [{ b: 2 }, { b: [3, 1] }] }, false],
    ['a:x', [[[{ a: 'x' }]]], true],
    ['a:x', { a: [[['x']]] }, true],
  ])('%s on %j is %s', (query, document, expected) => {
    expect(matches(query, document)).toBe(expected);
  });
});

describe('comparisons by document type', () => {
  test.each([
    ['a:007', { a: '007' }, true],
    ['a:007', { a: 7 }, true],
    ['a:1', { a: '1.0' }, false],
    ['a:1e3', { a: 1000 }, true],
    ['a:abc', { a: 0 }, false],
    ['a:true', { a: true }, true],
    ['a:"true"', { a: true }, true],
    ['a:true', { a: 'true' }, true],
    ['a:false', { a: false }, true],
    ['a:true', { a: 1 }, false],
    ['a:1', { a: true }, false],
    ['a:null', { a: null }, false],
    ['a:"null"', { a: 'null' }, true],
    ['a:x', { a: { b: 'x' } }, false],
    ['a:Hello', { a: 'hello' }, false],
    ['a:*.EXE', { a: 'x.exe' }, false],
    ['a:x?', { a: 'xy' }, false],
    ['a:x*z', { a: 'x\n\nz' }, true],
    ['a:1*', { a: 1 }, false],
    ['a:*a*a*a*a*a*a*b', { a: 'a'.repeat(50_000) }, false],
    ['a:\\*', { a: '*' }, true],
    ['a:\\*', { a: 'x' }, false],
  ])('%s on %j is %s', (query, document, expected) => {
    expect(matches(query, document)).toBe(expected);
  });
});

describe('exists', () => {
  test.each([
    [{ a: '' }, true],
    [{ a: 0 }, true],
    [{ a: false }, true],
    [{ a: null }, false],
    [{ a: [] }, false],
    [{ a: [null] }, false],
    [{}, false],
    [{ a: {} }, false],
    [{ a: { b: null } }, false],
    [{ a: { b: 1 } }, true],
  ])('a:* on %j is %s', (document, expected) => {
    expect(matches('a:*', document)).toBe(expected);
  });
});

describe('ranges', () => {
  test.each([
    ['a < 2', { a: 1 }, true],
    ['a < 2', { a: 10 }, false],
    ['a < 2', { a: '10' }, true],
    ['a >= 5', { a: [1, 7] }, true],
    ['a < b', { a: 1 }, false],
    ['a < b', { a: 'a' }, true],
    ['a <= "x"', { a: 'x' }, true],
    ['a > 1', { a: true }, false],
    ['a > "\uffff"', { a: '\u{1f600}' }, true],
    ['@timestamp >= "2024-01-01"', { '@timestamp': '2024-05-01T00:00:00Z' }, true],
  ])('%s on %j is %s', (query, document, expected) => {
    expect(matches(query, document)).toBe(expected);
  });
});

describe('CIDR', () => {
  test.each([
    ['ip:192.168.0.0/16', { ip: '192.168.16.3' }, true],
    ['ip:"10.0.0.0/8"', { ip: '192.168.16.3' }, false],
    ['ip:10.1.2.3/8', { ip: '10.200.0.1' }, true],
    ['ip:2001\\:db8\\:\\:/32', { ip: '2001:db8::5' }, true],
    ['ip:2001\\:db8\\:\\:/32', { ip: '2001:db9::5' }, false],
    ['ip:10.0.0.0/8', { ip: 'not-an-ip' }, false],
    ['ip:10.0.0.0/8', { ip: '10.0.0.0/8' }, true],
  ])('%s on %j is %s', (query, document, expected) => {
    expect(matches(query, document)).toBe(expected);
  });
});

describe('field lookup', () => {
  test('literal dotted keys are the same field as nested objects', () => {
    expect(matches('a.b.c:1', { 'a.b': { c: 1 } })).toBe(true);
    expect(matches('a.b.c:1', { a: { 'b.c': 1 } })).toBe(true);
    expect(matches('a.b.c:1', { 'a.b.c': 1 })).toBe(true);
    expect(matches('a.b.c:1', { a: { b: { c: 2 } }, 'a.b.c': 1 })).toBe(true);
  });

  test('prototype names are ordinary keys', () => {
    expect(matches('constructor:*', {})).toBe(false);
    expect(matches('__proto__:x', JSON.parse('{"__proto__": "x"}'))).toBe(true);
    expect(matches('a.toString:*', { a: {} })).toBe(false);
  });

  test('wildcard field names expand over the document', () => {
    expect(matches('machine*:osx', { machine: { os: 'osx' } })).toBe(true);
    expect(matches('machine.*:osx', { machine: { os: 'linux', arch: 'osx' } })).toBe(true);
    expect(matches('machine*:osx', { machine: { os: 'linux' } })).toBe(false);
    expect(matches('not machine*:osx', { machine: { os: 'linux' } })).toBe(true);
    expect(matches('*:*', {})).toBe(true);
    expect(matches('*:osx', { a: [{ b: 'osx' }] })).toBe(true);
  });

  test('nested queries need all conditions in one object', () => {
    const document = { deltas: [{ action: 'ADD', role: 'a' }, { action: 'REMOVE', role: 'b' }] };
    expect(matches('deltas:{ action:ADD and role:a }', document)).toBe(true);
    expect(matches('deltas:{ action:ADD and role:b }', document)).toBe(false);
    expect(matches('deltas.action:ADD and deltas.role:b', document)).toBe(true);
    expect(matches('deltas:{ not action:ADD }', document)).toBe(true);
    expect(matches('deltas:{ action:* }', { deltas: 'x' })).toBe(false);
  });

  test('free text searches every leaf value', () => {
    const document = { x: { y: ['hello'] }, n: 5, flag: true };
    expect(matches('hello', document)).toBe(true);
    expect(matches('hel*', document)).toBe(true);
    expect(matches('5', document)).toBe(true);
    expect(matches('true', document)).toBe(true);
    expect(matches('"hello world"', document)).toBe(false);
    expect(matches('not goodbye', document)).toBe(true);
    expect(matches('*', document)).toBe(true);
    expect(matches('*', { a: null })).toBe(false);
  });

  test('a blank query matches everything', () => {
    expect(matches('', null)).toBe(true);
  });
});

describe('fieldsOf', () => {
  test('lists distinct absolute field names in order of use', () => {
    const ast = parseKql('a:1 and (b > 2 or not a:3) and c:{ d:1 and e:{ f:2 } } and machine*:x and "free"');
    expect(fieldsOf(ast)).toEqual(['a', 'b', 'c.d', 'c.e.f', 'machine*']);
  });

  test('a blank query reads nothing', () => {
    expect(fieldsOf(parseKql(' '))).toEqual([]);
  });
});

describe('compileKql', () => {
  test('rejects a tree that is not KQL when compiling, not when evaluating', () => {
    expect(() => compileKql({ type: 'bogus' } as never)).toThrow(TypeError);
  });
});

/**
 * The EQL grammar: what parses into which tree (positions left out), and what fails with which line, column and
 * explanation. Elasticsearch's EqlBase grammar and verifier are the reference.
 */
import { EqlSyntaxError, MAX_NESTING_DEPTH, parseEql, type EqlExpression, type EqlQuery } from '../../../src/engine/eql';

/** The tree without offsets, for readable expectations. */
function shape(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, v) => (key === 'start' || key === 'end' || key === 'text' ? undefined : v)));
}

function condition(text: string): unknown {
  const query = parseEql(`any where ${text}`);
  if (query.kind !== 'event') throw new Error('not an event query');
  return shape(query.filter.condition);
}

const field = (name: string, optional = false) => ({ kind: 'field', name, optional });
const literal = (value: string | number | boolean | null, double?: boolean) => ({ kind: 'literal', value, ...(double ? { double } : {}) });

function syntaxError(text: string): EqlSyntaxError {
  try {
    parseEql(text);
  } catch (error) {
    if (error instanceof EqlSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} not to parse`);
}

describe('parseEql: event queries', () => {
  test('category, condition and pipes', () => {
    expect(shape(parseEql('process where serial_event_id < 4 | head 2 | tail 1'))).toEqual({
      kind: 'event',
      filter: { category: 'process', condition: { kind: 'compare', operator: '<', left: field('serial_event_id'), right: literal(4) } },
      pipes: [
        { kind: 'head', count: 2 },
        { kind: 'tail', count: 1 },
      ],
    });
  });

  test('any, backquoted and quoted categories', () => {
    const category = (text: string) => (parseEql(text) as Extract<EqlQuery, { kind: 'event' }>).filter.category;
    expect(category('any where true')).toBeNull();
    expect(category('`my-category` where true')).toBe('my-category');
    expect(category('"process" where true')).toBe('process');
    expect(category('REQUEST where true')).toBe('REQUEST');
  });

  test('precedence: not binds tighter than and, and tighter than or; comparisons are loosest among values', () => {
    expect(condition('not a == 1 and b or c')).toEqual({
      kind: 'or',
      operands: [{ kind: 'and', operands: [{ kind: 'not', operand: { kind: 'compare', operator: '==', left: field('a'), right: literal(1) } }, field('b')] }, field('c')],
    });
    expect(condition('-d + 2 * 3 % 4 > 1')).toEqual({
      kind: 'compare',
      operator: '>',
      left: {
        kind: 'arithmetic',
        operator: '+',
        left: { kind: 'negate', operand: field('d') },
        right: { kind: 'arithmetic', operator: '%', left: { kind: 'arithmetic', operator: '*', left: literal(2), right: literal(3) }, right: literal(4) },
      },
      right: literal(1),
    });
  });

  test('literals: negative numbers, doubles, exponents, booleans, null', () => {
    expect(condition('a == -1')).toEqual({ kind: 'compare', operator: '==', left: field('a'), right: literal(-1) });
    expect(condition('a / 2.0 == 1e3')).toEqual({
      kind: 'compare',
      operator: '==',
      left: { kind: 'arithmetic', operator: '/', left: field('a'), right: literal(2, true) },
      right: literal(1000, true),
    });
    expect(condition('null == (true != false)')).toEqual({
      kind: 'compare',
      operator: '==',
      left: literal(null),
      right: { kind: 'compare', operator: '!=', left: literal(true), right: literal(false) },
    });
  });

  test('strings: escapes, unicode escapes and raw strings', () => {
    expect(condition('a == "tab\\there \\"q\\" \\\\ \\u{1F600}"')).toEqual({ kind: 'compare', operator: '==', left: field('a'), right: literal('tab\there "q" \\ 😀') });
    expect(condition('a == """C:\\new\\t""""')).toEqual({ kind: 'compare', operator: '==', left: field('a'), right: literal('C:\\new\\t"') });
    expect(condition('a regex """.*?net1\\s+\\w"""')).toEqual({ kind: 'pattern', operator: 'regex', caseInsensitive: false, value: field('a'), patterns: [literal('.*?net1\\s+\\w')] });
  });

  test('field names: dotted, optional, backquoted, @timestamp, keywords in backquotes', () => {
    expect(condition('?process.pid == `sequence` and `my field`.x > 1 and @timestamp != null')).toEqual({
      kind: 'and',
      operands: [
        { kind: 'compare', operator: '==', left: field('process.pid', true), right: field('sequence') },
        { kind: 'compare', operator: '>', left: field('my field.x'), right: literal(1) },
        { kind: 'compare', operator: '!=', left: field('@timestamp'), right: literal(null) },
      ],
    });
  });

  test('predicates: in, not in, in~, :, like, like~, regex~ with one pattern or a list', () => {
    const predicates = condition('a in (1, "x") and b not in~ ("Y") and c : ("x*", "y") and d like~ "a?" and e regex~ ("a.*", "b")') as { operands: EqlExpression[] };
    expect(predicates.operands).toEqual([
      { kind: 'in', value: field('a'), list: [literal(1), literal('x')], caseInsensitive: false, negated: false },
      { kind: 'in', value: field('b'), list: [literal('Y')], caseInsensitive: true, negated: true },
      { kind: 'pattern', operator: ':', caseInsensitive: true, value: field('c'), patterns: [literal('x*'), literal('y')] },
      { kind: 'pattern', operator: 'like', caseInsensitive: true, value: field('d'), patterns: [literal('a?')] },
      { kind: 'pattern', operator: 'regex', caseInsensitive: true, value: field('e'), patterns: [literal('a.*'), literal('b')] },
    ]);
  });

  test('functions: any letter case, the ~ form, a space before (', () => {
    expect(condition('CONCAT(a, "") == "x" and startsWith~ (b, "A")')).toEqual({
      kind: 'and',
      operands: [
        { kind: 'compare', operator: '==', left: { kind: 'function', name: 'concat', caseInsensitive: false, args: [field('a'), literal('')] }, right: literal('x') },
        { kind: 'function', name: 'startsWith', caseInsensitive: true, args: [field('b'), literal('A')] },
      ],
    });
  });

  test('comments, line breaks and trailing spaces anywhere between tokens', () => {
    const text = 'file where  \n  a == 1 and /* a /* nested */ comment */\n// a line comment\nb == 2   \n';
    expect(condition(text.replace('file where', ''))).toEqual({
      kind: 'and',
      operands: [
        { kind: 'compare', operator: '==', left: field('a'), right: literal(1) },
        { kind: 'compare', operator: '==', left: field('b'), right: literal(2) },
      ],
    });
  });

  test('a comparison of two fields is allowed inside a function, where Elasticsearch runs a script', () => {
    expect(() => parseEql('any where stringContains(a, b) and string(a == b) : "true"')).not.toThrow();
  });

  test('deep nesting up to the limit parses, beyond it fails cleanly', () => {
    expect(() => parseEql(`any where ${'('.repeat(MAX_NESTING_DEPTH - 1)}a == 1${')'.repeat(MAX_NESTING_DEPTH - 1)}`)).not.toThrow();
    expect(syntaxError(`any where ${'('.repeat(10_000)}a`).problem).toBe(`the query is nested more than ${MAX_NESTING_DEPTH} levels deep`);
  });
});

describe('parseEql: sequences', () => {
  test('by keys, maxspan, per-stage keys, runs, missing events, until', () => {
    const query = parseEql(`
      sequence by host.id with maxspan=15m
        [process where true] by process.pid
        ![file where true] by process.pid
        [network where true] by ?process.ppid with runs=3
      until [process where opcode == 2] by process.pid
      | tail 2`);
    expect(shape(query)).toEqual({
      kind: 'sequence',
      by: [field('host.id')],
      maxspan: { milliseconds: 900_000 },
      stages: [
        { filter: { category: 'process', condition: literal(true) }, by: [field('process.pid')], runs: 1, missing: false },
        { filter: { category: 'file', condition: literal(true) }, by: [field('process.pid')], runs: 1, missing: true },
        { filter: { category: 'network', condition: literal(true) }, by: [field('process.ppid', true)], runs: 3, missing: false },
      ],
      until: { filter: { category: 'process', condition: { kind: 'compare', operator: '==', left: field('opcode'), right: literal(2) } }, by: [field('process.pid')], runs: 1, missing: false },
      pipes: [{ kind: 'tail', count: 2 }],
    });
    expect(query.kind === 'sequence' && query.maxspan?.text).toBe('15m');
  });

  test.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['1m', 60_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
  ])('maxspan=%s is %d ms', (text, milliseconds) => {
    const query = parseEql(`sequence with maxspan=${text} [a where true] [b where true]`);
    expect(query.kind === 'sequence' && query.maxspan?.milliseconds).toBe(milliseconds);
  });
});

describe('parseEql: errors name the line and column and say what to do', () => {
  test.each([
    ['', 1, 1, 'the query is empty'],
    ['process where stringcontain(a, "b")', 1, 15, 'unknown function stringcontain(); did you mean stringContains()?'],
    ['process where length(a, b)', 1, 15, 'length() takes 1 argument, not 2'],
    ['process where length~(a) > 1', 1, 15, 'length() has no case-insensitive form (~)'],
    ['process where cidrMatch(a, b)', 1, 28, 'cidrMatch() takes string constants from argument 2 on'],
    ['process where cidrMatch(a, "10.0.0/8")', 1, 28, 'is not an IPv4 or IPv6 CIDR block'],
    ['process where\n  a == 1 and\n  b = 2', 3, 5, "use '==' to compare"],
    ["process where a == 'x'", 1, 20, 'double quotes'],
    ['process where a == "x', 1, 20, 'never closed'],
    ['process where a == "\\q"', 1, 21, 'unknown escape sequence \\q'],
    ['process where sequence == 1', 1, 15, "'sequence' is a keyword: write a field named so in backquotes (`sequence`)"],
    ['process where a == b', 1, 15, 'comparisons between two fields are not supported by Elasticsearch'],
    ['process where not (x > 1 and a != b.c)', 1, 30, 'comparisons between two fields'],
    ['join [a where true] [b where true]', 1, 1, 'join queries are not supported'],
    ['sample by x [a where true] [b where true]', 1, 1, 'sample queries are not supported'],
    ['process where true | count', 1, 22, 'the count pipe is not supported: Elasticsearch runs only | head N and | tail N'],
    ['process where true | head 0', 1, 27, 'greater than zero'],
    ['sequence with maxspan=15 [a where true] [b where true]', 1, 23, 'maxspan needs a unit'],
    ['sequence with maxspan=1.5h [a where true] [b where true]', 1, 23, 'whole number'],
    ['sequence with maxspan=15m by x [a where true] [b where true]', 1, 27, 'before `with maxspan=…`'],
    ['sequence [a where true] ![b where true] [c where true]', 1, 25, 'needs `with maxspan=…`'],
    ['sequence with maxspan=1s ![a where true] ![b where true]', 1, 26, 'at least one stage that is not a missing event'],
    ['sequence [a where true] by x [b where true]', 1, 30, 'inconsistent number of join keys'],
    ['sequence by x [a where true] [b where true] until [c where true] by y', 1, 51, 'inconsistent number of join keys'],
    ['sequence [a where true] [b where true] until ![c where true]', 1, 40, 'an until stage cannot be a missing event'],
    ['sequence [a where true] [b where true] with runs=0', 1, 50, 'runs must be a whole number from 1 to 100'],
    ['sequence [a where true]', 1, 24, 'a sequence needs at least two stages'],
    ['sequence by length(x) [a where true] [b where true]', 1, 13, 'a join key must be a field name'],
    ['process where a[0] == 1', 1, 16, 'array indexes'],
    ['process where descendant of [file where true]', 1, 15, "'descendant of' (process lineage) is not supported"],
    ['process where a == 1 and', 1, 25, 'expected a field, a value, a function call or ( but found the end of the query'],
    ['process where (a == 1', 1, 22, "expected ')'"],
    ['process where a == 1 b', 1, 22, "expected 'and', 'or', '|' (a pipe) or the end of the query but found 'b'"],
    ['process where a regex "(ab"', 1, 23, 'invalid regular expression: the group opened at position 1 is never closed'],
    ['process where a regex "a~b"', 1, 23, 'complement (~)'],
    ['process where a : b', 1, 19, "expected a constant after ':'"],
    ['process where a like 1', 1, 22, 'like takes string patterns'],
    ['`unclosed where true', 1, 1, 'backquote'],
    ['process where a == 1 /* open', 1, 22, 'comment is never closed'],
    ['process where a ! b', 1, 17, "'!' must be followed by '='"],
    ['process where a == ?"raw"', 1, 20, 'raw string'],
  ])('%j', (text, line, column, problem) => {
    const error = syntaxError(text);
    expect(error.message).toBe(`line ${line}, column ${column}: ${error.problem}`);
    expect({ line: error.line, column: error.column }).toEqual({ line, column });
    expect(error.problem).toContain(problem);
    expect(error.query).toBe(text);
  });
});

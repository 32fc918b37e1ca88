import { MAX_NESTING_DEPTH, parseKql, type KqlNode } from '../../../src/engine/kql';
import { renderAst } from './support/ast-notation';

const tree = (query: string): string => renderAst(parseKql(query));

describe('parseKql: structure and precedence', () => {
  test.each([
    ['a:b or c:d and e:f', 'or(is("a", "b"), and(is("c", "d"), is("e", "f")))'],
    ['a:1 or not b:2 and c:3', 'or(is("a", "1"), and(not(is("b", "2")), is("c", "3")))'],
    ['a:1 and b:2 and c:3', 'and(is("a", "1"), is("b", "2"), is("c", "3"))'],
    ['(a:1 or b:2) and c:3', 'and(or(is("a", "1"), is("b", "2")), is("c", "3"))'],
    ['not (not a:1)', 'not(not(is("a", "1")))'],
    ['a:b AND c:d Or NOT e:f', 'or(and(is("a", "b"), is("c", "d")), not(is("e", "f")))'],
    ['a:b\n    and\tc:d', 'and(is("a", "b"), is("c", "d"))'],
    ['a:b and\u00a0c:d', 'and(is("a", "b"), is("c", "d"))'],
  ])('%s', (query, expected) => {
    expect(tree(query)).toBe(expected);
  });

  test('a blank query matches everything', () => {
    expect(parseKql('')).toEqual({ type: 'matchAll' });
    expect(parseKql(' \n\t ')).toEqual({ type: 'matchAll' });
  });
});

describe('parseKql: value lists distribute the field', () => {
  test.each([
    ['f:(a or b and not c)', 'or(is("f", "a"), and(is("f", "b"), not(is("f", "c"))))'],
    ['f:((a or b) and not c)', 'and(or(is("f", "a"), is("f", "b")), not(is("f", "c")))'],
    ['f:(* and not (A* or "B"))', 'and(is("f", W"*"), not(or(is("f", W"A*"), is("f", Q"B"))))'],
    ['f: (\n  "x" or\n  y\n)', 'or(is("f", Q"x"), is("f", "y"))'],
  ])('%s', (query, expected) => {
    expect(tree(query)).toBe(expected);
  });
});

describe('parseKql: literals', () => {
  test.each([
    ['a:"x\\"y\\\\z\\tq"', 'is("a", Q"x\\"y\\\\z\\tq")'],
    ['a:"\\u0041\\u00e9"', 'is("a", Q"Aé")'],
    ['a:"a\\*b\\q"', 'is("a", Q"a\\\\*b\\\\q")'],
    ['a:"*x*"', 'is("a", Q"*x*")'],
    ['a:"x and y"', 'is("a", Q"x and y")'],
    ['a:x\\:y\\(z\\)', 'is("a", "x:y(z)")'],
    ['a:\\u0041b', 'is("a", "Ab")'],
    ['a:\\and', 'is("a", "and")'],
    ['a:x\\notepad', 'is("a", "x\\notepad")'],
    // `\n` is always a newline, and Kibana trims the value afterwards.
    ['a:\\notepad', 'is("a", "otepad")'],
    ['a:007', 'is("a", "007")'],
    ['a:true', 'is("a", true)'],
    ['a:"true"', 'is("a", Q"true")'],
    ['a:TRUE', 'is("a", "TRUE")'],
    ['a:null', 'is("a", null)'],
    ["a:'x'", 'is("a", "\'x\'")'],
    ['a:x?', 'is("a", "x?")'],
  ])('%s', (query, expected) => {
    expect(tree(query)).toBe(expected);
  });

  test('unquoted values may contain spaces, are trimmed and stop at keywords', () => {
    expect(tree('a: S3 Browser  and b:c')).toBe('and(is("a", "S3 Browser"), is("b", "c"))');
    expect(tree('foo bar')).toBe('is(null, "foo bar")');
    expect(tree('a:x or')).toBe('is("a", "x or")');
  });

  test('keyword-prefixed words are plain words', () => {
    expect(tree('a:notepad.exe')).toBe('is("a", "notepad.exe")');
    expect(tree('notification.id:1')).toBe('is("notification.id", "1")');
    expect(tree('a:orders or b:android')).toBe('or(is("a", "orders"), is("b", "android"))');
    expect(tree('a:nothing*')).toBe('is("a", W"nothing*")');
    expect(tree('a:or')).toBe('is("a", "or")');
  });

  test('wildcards keep escaped asterisks literal', () => {
    const ast = parseKql('a:x\\*y*z') as Extract<KqlNode, { type: 'is' }>;
    expect(ast.value).toEqual({ kind: 'wildcard', segments: ['x*y', 'z'] });
    expect(parseKql('a:\\*')).toEqual({ type: 'is', field: { kind: 'literal', value: 'a', quoted: false }, value: { kind: 'literal', value: '*', quoted: false } });
    expect(tree('a:*')).toBe('is("a", W"*")');
    expect(tree('a: * ')).toBe('is("a", W"*")');
    expect(tree('*:*')).toBe('is(W"*", W"*")');
    expect(tree('machine*:osx')).toBe('is(W"machine*", "osx")');
  });

  test('ranges, quoted field names and nested queries', () => {
    expect(tree('a>=10 and b < "x y"')).toBe('and(range("a", gte, "10"), range("b", lt, Q"x y"))');
    expect(tree('@timestamp > now-30d')).toBe('range("@timestamp", gt, "now-30d")');
    expect(tree('"a b": c')).toBe('is(Q"a b", "c")');
    expect(tree('a:{ b:1 and c:{ d:2 } }')).toBe('nested("a", and(is("b", "1"), nested("c", is("d", "2"))))');
  });
});

describe('parseKql: pathological input', () => {
  test('10,000 nested parentheses give a syntax error, not a stack overflow', () => {
    const query = `${'('.repeat(10_000)}a:b${')'.repeat(10_000)}`;
    expect(() => parseKql(query)).toThrow(/nests parentheses or braces more than 128 levels/);
  });

  test('deep value lists and nested braces are limited too', () => {
    expect(() => parseKql(`a:${'('.repeat(10_000)}b`)).toThrow(/more than 128 levels/);
    expect(() => parseKql(`${'a:{'.repeat(5_000)}b:1${'}'.repeat(5_000)}`)).toThrow(/more than 128 levels/);
  });

  test('nesting up to the limit is accepted', () => {
    const depth = MAX_NESTING_DEPTH;
    expect(parseKql(`${'('.repeat(depth)}a:b${')'.repeat(depth)}`)).toEqual(parseKql('a:b'));
  });

  test('long flat queries parse quickly', () => {
    const query = Array.from({ length: 5_000 }, (_, i) => `f${i}:v${i}`).join(' or ');
    const started = Date.now();
    const ast = parseKql(query);
    expect(ast.type === 'or' && ast.children.length).toBe(5_000);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

/**
 * Single-event EQL semantics, as Elasticsearch runs them: case sensitivity by operator, wildcard dialects,
 * any-element arrays, dotted names, the two null behaviours (query terms vs scripts), and each function.
 */
import { compileEventFilter, parseEql, type EqlCompileOptions, type EqlEventFilter } from '../../../src/engine/eql';

function eventFilter(text: string): EqlEventFilter {
  const query = parseEql(text);
  if (query.kind !== 'event') throw new Error('not an event query');
  return query.filter;
}

function matches(condition: string, document: unknown, options: EqlCompileOptions = {}): boolean {
  const query = parseEql(`any where ${condition}`);
  if (query.kind !== 'event') throw new Error('not an event query');
  return compileEventFilter(query.filter, options)(document);
}

/** The documents (by name) a condition selects. */
function selected(condition: string, documents: Record<string, unknown>, options: EqlCompileOptions = {}): string[] {
  const query = parseEql(`any where ${condition}`);
  if (query.kind !== 'event') throw new Error('not an event query');
  const predicate = compileEventFilter(query.filter, options);
  return Object.entries(documents)
    .filter(([, document]) => predicate(document))
    .map(([name]) => name);
}

describe('case sensitivity follows the operator', () => {
  const document = { process: { name: 'PowerShell.EXE' } };

  test.each([
    ['process.name == "PowerShell.EXE"', true],
    ['process.name == "powershell.exe"', false],
    ['process.name != "powershell.exe"', true],
    ['process.name : "powershell.exe"', true],
    ['process.name : "POWER*"', true],
    ['process.name in ("powershell.exe", "cmd.exe")', false],
    ['process.name in~ ("powershell.exe", "cmd.exe")', true],
    ['process.name in~ ("power*")', false],
    ['process.name like "Power*"', true],
    ['process.name like "power*"', false],
    ['process.name like~ "power*.e?e"', true],
    ['process.name regex "Power.*"', true],
    ['process.name regex "power.*"', false],
    ['process.name regex~ "power.*"', true],
    ['startsWith(process.name, "power")', false],
    ['startsWith~(process.name, "power")', true],
    ['endsWith~(process.name, ".exe")', true],
    ['stringContains(process.name, "shell")', false],
    ['stringContains~(process.name, "shell")', true],
    ['process.name >= "PowerShell.EXE" and process.name < "powershell"', true],
  ])('%s → %s', (condition, expected) => {
    expect(matches(condition, document)).toBe(expected);
  });
});

describe('wildcards', () => {
  test(': and like take * and ?, and nothing escapes them: a backslash is a backslash', () => {
    const document = { file: { path: 'C:\\Windows\\red_ttp\\wininit.exe' } };
    expect(matches('file.path : "*\\\\red_ttp\\\\wininit.*"', document)).toBe(true);
    expect(matches('file.path like "C:\\\\Windows\\\\*\\\\winini?.exe"', document)).toBe(true);
    expect(matches('file.path like "C:\\\\Windows\\\\*\\\\winini??.exe"', document)).toBe(false);
  });

  test('stringContains and endsWith of a field and a constant are wildcard queries: * and ? match, \\ escapes', () => {
    const document = { request: 'valuesToAdd=[111122223333], Principal=*' };
    expect(matches('stringContains(request, "valuesToAdd=[*]")', document)).toBe(true);
    expect(matches('stringContains(request, "valuesToAdd=[?]")', document)).toBe(false);
    expect(matches('stringContains(request, "Principal=\\\\*")', document)).toBe(true);
    expect(matches('stringContains(request, "Principal=\\\\*")', { request: 'Principal=arn:aws:iam::1:root' })).toBe(false);
    expect(matches('endsWith(request, "=*")', document)).toBe(true);
  });

  test('startsWith is a prefix query: its * is a plain character', () => {
    expect(matches('startsWith(a, "x*")', { a: 'xyz' })).toBe(false);
    expect(matches('startsWith(a, "x*")', { a: 'x*yz' })).toBe(true);
  });

  test('a computed value (a script) is searched as plain text, without wildcards', () => {
    expect(matches('stringContains(a, b)', { a: 'a*c', b: '*' })).toBe(true);
    expect(matches('stringContains(a, b)', { a: 'abc', b: 'a*c' })).toBe(false);
    expect(matches('stringContains(concat(a, ""), "a*c")', { a: 'abc' })).toBe(false);
  });

  test('many wildcards on a long value are matched without backtracking', () => {
    // A backtracking regular expression would not finish on this within the test timeout.
    expect(matches('a : "*a*a*a*a*a*a*a*a*a*a*b"', { a: 'a'.repeat(50_000) })).toBe(false);
  });
});

describe('regex is a Lucene regular expression over the whole value', () => {
  test.each([
    ['"net1"', 'net1 localgroup', false],
    ['".*?net1.*?"', 'net1 localgroup', true],
    ['"net[1]?  localgroup.*"', 'net  localgroup admins', true],
    ['"[a-z]{4,15}"', 'abcd', true],
    ['"[a-z]{4,15}"', 'abc', false],
    ['"\\"quoted.\\"x"', 'quoted.x', true],
    ['"\\"quoted.\\"x"', 'quotedyx', false],
    ['"@"', 'anything', true],
    ['"a|#"', 'a', true],
    ['"\\\\d+"', '123', true],
    ['"a^b$"', 'a^b$', true],
    ['".+"', 'line\nbreak', true],
  ])('%s on %j → %s', (pattern, value, expected) => {
    expect(matches(`a regex ${pattern}`, { a: value })).toBe(expected);
  });

  test('regex~ folds ASCII letters only, as Lucene does', () => {
    expect(matches('a regex~ "[A-C]+x"', { a: 'abcX' })).toBe(true);
    expect(matches('a regex~ "é"', { a: 'É' })).toBe(false);
  });

  test('the AWS ransom note pattern', () => {
    const pattern = '"arn:aws:s3:::[^/]+/.*?(how|decrypt|restor|help|instruct|read|get|recov|save|encrypt|delet|info|ransom).*"';
    expect(matches(`a regex~ ${pattern}`, { a: 'arn:aws:s3:::bucket/README_How_To_Decrypt.txt' })).toBe(true);
    expect(matches(`a regex~ ${pattern}`, { a: 'arn:aws:s3:::bucket' })).toBe(false);
  });
});

describe('fields: dotted names, literal dotted keys, arrays', () => {
  test('a dotted name walks objects or matches a literal dotted key', () => {
    expect(matches('a.b.c == 1', { a: { b: { c: 1 } } })).toBe(true);
    expect(matches('a.b.c == 1', { 'a.b': { c: 1 } })).toBe(true);
    expect(matches('a.b.c == 1', { 'a.b.c': 1 })).toBe(true);
  });

  test('any element of an array matches, at any depth (event.type is an array in ECS)', () => {
    expect(matches('event.type == "info"', { event: { type: ['change', 'info'] } })).toBe(true);
    expect(matches('a.b == 2', { a: [{ b: 1 }, { b: [3, 2] }] })).toBe(true);
    expect(matches('a : "X*"', { a: ['y', 'x1'] })).toBe(true);
  });

  test('!= and not in hold only when no element matches (must_not)', () => {
    expect(matches('event.type != "info"', { event: { type: ['change', 'info'] } })).toBe(false);
    expect(matches('a not in (1, 2)', { a: [3, 2] })).toBe(false);
    expect(matches('a not in (1, 2)', { a: [3, 4] })).toBe(true);
  });

  test('an object is not a value', () => {
    expect(matches('a == "x"', { a: { b: 'x' } })).toBe(false);
    expect(matches('length(a) > 0', { a: { b: 'x' } })).toBe(false);
  });

  test('JSON types compare as the field type would: keyword text, long numbers, booleans', () => {
    expect(matches('a == 1234', { a: '1234' })).toBe(true);
    expect(matches('a == 1234', { a: '1234.0' })).toBe(false);
    expect(matches('a == "1234"', { a: 1234 })).toBe(true);
    expect(matches('a == "true"', { a: true })).toBe(true);
    expect(matches('a == true', { a: 'true' })).toBe(true);
    expect(matches('a < 9', { a: '10' })).toBe(true);
    expect(matches('a < 9', { a: 10 })).toBe(false);
  });
});

describe('missing fields and null', () => {
  const documents = { present: { a: 1, b: 'x' }, missing: { b: 'x' }, nullValue: { a: null, b: 'x' } };

  test('a comparison of a missing field is false, and its negation true: Elasticsearch runs it as must_not', () => {
    expect(selected('a == 1', documents)).toEqual(['present']);
    expect(selected('a != 1', documents)).toEqual(['missing', 'nullValue']);
    expect(selected('not a == 1', documents)).toEqual(['missing', 'nullValue']);
    expect(selected('not (a > 0)', documents)).toEqual(['missing', 'nullValue']);
    expect(selected('not stringContains(b, "y")', { ...documents, noB: { a: 1 } })).toEqual(['present', 'missing', 'nullValue', 'noB']);
  });

  test('a computed value of a missing field is null, `not null` is still null, and only true selects (a script)', () => {
    expect(selected('length(c) > 0', documents)).toEqual([]);
    expect(selected('not (length(c) > 0)', documents)).toEqual([]);
    expect(selected('not stringContains(b, c)', documents)).toEqual([]);
    expect(selected('not (a + 1 > 1)', documents)).toEqual([]);
    expect(selected('not (a + 1 > 5)', documents)).toEqual(['present']);
  });

  test('`== null` is IS NULL and `!= null` IS NOT NULL, for fields and for computed values', () => {
    expect(selected('a == null', documents)).toEqual(['missing', 'nullValue']);
    expect(selected('null == a', documents)).toEqual(['missing', 'nullValue']);
    expect(selected('a != null', documents)).toEqual(['present']);
    expect(selected('null == (a > 0)', documents)).toEqual(['missing', 'nullValue']);
    expect(selected('concat(b, a) != null', documents)).toEqual(['present']);
    expect(selected('a > null', documents)).toEqual([]);
    expect(selected('not (a > null)', documents)).toEqual([]);
  });

  test('a script with an `or` of a null and a true is true; an `and` with null is null', () => {
    expect(selected('string(a > 0 or b == "x") : "true"', documents)).toEqual(['present', 'missing', 'nullValue']);
    expect(selected('(a > 0 and b == "x") == null', documents)).toEqual(['missing', 'nullValue']);
  });

  test('in with a null in the list: null when nothing else matches (Elasticsearch In semantics)', () => {
    expect(matches('string(a) in ("2", null) == null', { a: 1 })).toBe(true);
    expect(matches('string(a) in ("1", null)', { a: 1 })).toBe(true);
  });
});

describe('optional fields (?field)', () => {
  const known = (name: string) => name !== 'nowhere';

  test('an optional field the index does not have is null', () => {
    expect(matches('?nowhere == null', { a: 1 }, { knownFields: known })).toBe(true);
    expect(matches('?nowhere', { a: 1 }, { knownFields: known })).toBe(false);
    expect(matches('?nowhere == ?elsewhere', { a: 1 }, { knownFields: (name) => name === 'a' })).toBe(true);
  });

  test('an optional field the index has behaves as the field', () => {
    expect(matches('?a == 1', { a: 1 }, { knownFields: known })).toBe(true);
    expect(matches('?a == null', { b: 1 }, { knownFields: known })).toBe(true);
  });
});

describe('multi-valued fields inside computed values', () => {
  test('each reference ranges over the values: true when some combination is', () => {
    expect(matches('length(tags) == 3', { tags: ['a', 'abc'] })).toBe(true);
    expect(matches('not (length(tags) == 3)', { tags: ['a', 'abc'] })).toBe(true);
    expect(matches('stringContains(a, b)', { a: ['xyz', 'abc'], b: ['q', 'bc'] })).toBe(true);
    expect(matches('stringContains(a, b)', { a: ['xyz', 'abc'], b: ['q', 'zz'] })).toBe(false);
  });
});

describe('functions', () => {
  const document = { name: 'explorer.exe', path: 'C:\\dev\\TestLogs\\something.json', n: 82, ip: '10.6.48.157', list: ['a', 'b'] };

  test.each([
    ['length(name) == 12', true],
    ['substring(name, 1, 3) == "xp"', true],
    ['substring(name, -4) == ".exe"', true],
    ['substring(name, -4, -1) == ".ex"', true],
    ['substring(name, 5, 2) == ""', true],
    ['concat(n, ":", name) == "82:explorer.exe"', true],
    ['concat(name, missing) == null', true],
    ['indexOf(name, "plorer.") == 2', true],
    ['indexOf(name, "plorer.", 3) == null', true],
    ['indexOf~(name, "PLORER") == 2', true],
    ['between(path, "dev", ".json") == "\\\\TestLogs\\\\something"', true],
    ['between(name, "e", "e", true) == "xplorer.ex"', true],
    ['between(name, "e", "e", false) == "xplor"', true],
    ['between~(name, "E", "E") == "xplor"', true],
    ['between(name, "q", "e") == ""', true],
    ['number("0x32", 16) == 50 and number("32", 16) == 50 and number("1.5") == 1.5', true],
    ['number("not a number") == null', true],
    ['string(n) == "82" and string(2.0) == "2.0" and string(true) == "true"', true],
    ['add(n, 1) == 83 and subtract(n, -1) == 83 and multiply(n, 2) == 164', true],
    ['n / 4 == 20 and n / 4.0 == 20.5 and divide(n, 4) == 20 and modulo(n, 5) == 2', true],
    ['n / 0 == null', true],
    ['cidrMatch(ip, "10.0.0.0/8")', true],
    ['cidrMatch(ip, "192.168.0.0/16", "10.6.48.157")', true],
    ['cidrMatch(ip, "192.168.0.0/16")', false],
    ['cidrMatch(name, "10.0.0.0/8") == null', false],
    ['string(cidrMatch(ip, "10.0.0.0/8")) : "true"', true],
    // On a field it is a wildcard query (`**` matches anything); on a computed value, a script (empty → false).
    ['stringContains(name, "")', true],
    ['stringContains(concat(name), "")', false],
    ['startsWith("explorer.exeaaaa", name)', true],
  ])('%s → %s', (condition, expected) => {
    expect(matches(condition, document)).toBe(expected);
  });
});

describe('the event category', () => {
  test('is read from event.category by default, any element of an array', () => {
    expect(compileEventFilter(eventFilter('iam where true'))({ event: { category: ['iam', 'configuration'] } })).toBe(true);
    expect(compileEventFilter(eventFilter('iam where true'))({ event: { type: ['iam'] } })).toBe(false);
  });

  test('comes from the configured field (a rule\'s event_category_override)', () => {
    const filter = eventFilter('info where event.action == "PutBucketPolicy"');
    const document = { event: { action: 'PutBucketPolicy', type: ['info'] } };
    expect(compileEventFilter(filter, { eventCategoryField: 'event.type' })(document)).toBe(true);
    expect(compileEventFilter(filter)(document)).toBe(false);
  });

  test('any matches documents without a category', () => {
    expect(compileEventFilter(eventFilter('any where true'))({})).toBe(true);
  });
});

describe('version fields', () => {
  test('order versions semantically when the field is declared a version', () => {
    const options: EqlCompileOptions = { fieldTypes: { version: 'version' } };
    expect(matches('version > "1.5.0"', { version: '1.11.3' }, options)).toBe(true);
    expect(matches('version > "1.5.0"', { version: '1.11.3' })).toBe(false);
    expect(matches('version < "1.5.0"', { version: '1.2.4-SNAPSHOT' }, options)).toBe(true);
    expect(matches('version < "1.2.4"', { version: '1.2.4-SNAPSHOT' }, options)).toBe(true);
    expect(matches('version < "1.5.0"', { version: 'bad' }, options)).toBe(false);
  });
});

describe('robustness', () => {
  test.each([null, 42, 'text', [], [{ a: 1 }], { a: { b: [[[1]]] } }])('never throws on %j', (document) => {
    for (const condition of ['a == 1', 'length(a) > 0', 'a.b : "x*"', 'cidrMatch(a, "::/0")', 'not a regex "x"', 'a + 1 == 2']) {
      expect(typeof matches(condition, document)).toBe('boolean');
    }
  });
});

import fc from 'fast-check';
import { compileUserAgentParser } from '../../../src/engine/enrichment';
import { requiredLiteral } from '../../../src/engine/enrichment/required-literal';
import { readUapRegexes } from '../../../src/enrichment/load-enrichment';
import { shippedUserAgentRegexes } from '../../../src/enrichment/shipped-databases';

describe('requiredLiteral', () => {
  it.each([
    ['(aws-cli)/(\\d+)\\.(\\d+)', '/'],
    ['Mozilla/5\\.0 \\(Windows', 'Mozilla/5.0 (Windows'],
    ['(?:Firefox)/(\\d+)', '/'],
    ['Go-http-client', 'Go-http-client'],
    ['abcd?ef', 'abc'], // d is optional: "abc" and "ef" are required (the longer is kept); "abcdef" is not
    ['abc+de', 'ab'], // a quantified character ends the run: "ab" and "de"
    ['ab{0,2}cdef', 'cdef'],
    ['x\\d+yz', 'yz'],
    ['a.bc', 'bc'],
    ['^Opera$', 'Opera'],
    ['[Aa]ndroid', 'ndroid'],
  ])('%s requires %s', (source, literal) => {
    expect(requiredLiteral(source)).toBe(literal);
  });

  it.each([['a|b'], ['(x)(y)'], ['\\d+'], ['.*'], ['a?'], ['(unclosed']])('%s requires nothing', (source) => {
    expect(requiredLiteral(source)).toBeUndefined();
  });

  it('is a substring of every match (random patterns of literals, optional parts and classes)', () => {
    const atom = fc.oneof(
      fc.constantFrom('a', 'b', 'c', '/', '-', ' '),
      fc.constantFrom('a?', 'b*', 'c+', 'a{0,2}', 'b{2}', '\\d', '[ab]', '(?:ab|c)', '(x)?', '\\.', '\\/'),
    );
    fc.assert(
      fc.property(fc.array(atom, { minLength: 1, maxLength: 8 }), fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), (atoms, before, after) => {
        const source = atoms.join('');
        const literal = requiredLiteral(source);
        const regex = new RegExp(source);
        // Build a string the pattern matches by sampling it: try the shortest expansions of each atom.
        const sample = atoms.map((part) => ({ 'a?': '', 'b*': 'bb', 'c+': 'c', 'a{0,2}': 'a', 'b{2}': 'bb', '\\d': '7', '[ab]': 'b', '(?:ab|c)': 'c', '(x)?': 'x', '\\.': '.', '\\/': '/' } as Record<string, string>)[part] ?? part).join('');
        const text = `${before}${sample}${after}`;
        const match = regex.exec(text);
        if (match !== null && literal !== undefined) expect(match[0]).toContain(literal);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the literal prefilter changes no result', () => {
  const regexes = readUapRegexes(shippedUserAgentRegexes());
  const fast = compileUserAgentParser(regexes, { cacheSize: 0 });
  const slow = compileUserAgentParser(regexes, { cacheSize: 0, literalPrefilter: false });
  const fragments = [
    ...regexes.user_agent_parsers, ...regexes.os_parsers, ...regexes.device_parsers,
  ].map((pattern) => requiredLiteral(pattern.regex)).filter((literal): literal is string => literal !== undefined);

  it('skips most patterns for a typical agent', () => {
    expect(fragments.length).toBeGreaterThan(900);
  });

  it.each([
    'aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/macos#23.6.0 md/arch#x86_64 lang/python#3.12.6',
    'Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.11 Botocore/1.34.0',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (Linux; Android 14; SM-S918B Build/UP1A.231005.007) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36',
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    'Terraform/1.6.0 (+https://www.terraform.io) terraform-provider-aws/5.31.0 aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5',
    'console.amazonaws.com',
  ])('%s', (agent) => {
    expect(fast.parse(agent)).toEqual(slow.parse(agent));
  });

  it('on agents made of the patterns own literals, versions and noise', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...fragments), fc.constantFrom('/', ' ', '; ', '(', ')', '1.2.3', '10_15_7', 'Build/', 'Linux', 'x86_64'), fc.string({ maxLength: 4 })), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        (parts, upper) => {
          const agent = upper ? parts.join('').toUpperCase() : parts.join('');
          expect(fast.parse(agent)).toEqual(slow.parse(agent));
        },
      ),
      { numRuns: 1500 },
    );
  });
});

import fc from 'fast-check';
import { compileKql, evaluateKql, parseKql, type KqlNode } from '../../../src/engine/kql';

const QUERIES = [
  'a:x',
  'not a:x',
  'a:(x or 1 or true)',
  'a:(* and not x*)',
  'a.b:*',
  'a.b > 1',
  'a < "m"',
  'a:{ b:x or c:1 }',
  'a:10.0.0.0/8',
  'x*',
  '1',
  'a*:x',
  '*:*',
  'a:null',
  'a.b.c:(true or false) and not d:""',
].map((query) => parseKql(query));

/** Documents made of any JSON, with the queried field names likely to appear. */
const documents = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, 1, -1.5, '', 'x', 'xyz', 'true', '1', '10.1.2.3', 'm'),
    fc.string(),
    fc.double(),
    fc.array(tie('value')),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'a.b', 'b.c', '__proto__', 'constructor'), tie('value')),
  ),
})).value;

describe('properties', () => {
  test('compiled queries never throw and return a boolean for any JSON document', () => {
    const compiled = QUERIES.map((ast) => compileKql(ast));
    fc.assert(
      fc.property(fc.oneof(documents, fc.jsonValue()), (document) => {
        for (const predicate of compiled) expect(typeof predicate(document)).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });

  test('not q is the negation of q', () => {
    fc.assert(
      fc.property(fc.constantFrom(...QUERIES), documents, (ast: KqlNode, document) => {
        expect(evaluateKql({ type: 'not', child: ast }, document)).toBe(!evaluateKql(ast, document));
      }),
      { numRuns: 300 },
    );
  });

  test('very deep documents do not overflow the stack', () => {
    let deepArray: unknown = 'x';
    let deepObject: unknown = 'x';
    for (let i = 0; i < 200_000; i++) {
      deepArray = [deepArray];
      deepObject = { a: deepObject };
    }
    for (const predicate of QUERIES.map((ast) => compileKql(ast))) {
      expect(typeof predicate({ a: deepArray })).toBe('boolean');
      expect(typeof predicate(deepObject)).toBe('boolean');
    }
  });

  test('the parser never throws anything but KqlSyntaxError', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ':', ' ', '(', ')', '"', '\\', '*', '{', '}', '<', '=', 'o', 'r', 'n', 't', 'd') }), (query) => {
        try {
          parseKql(query);
        } catch (error) {
          expect((error as Error).name).toBe('KqlSyntaxError');
        }
      }),
      { numRuns: 500 },
    );
  });
});

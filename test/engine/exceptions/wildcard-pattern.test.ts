import fc from 'fast-check';
import { wildcardPattern } from '../../../src/engine/exceptions/wildcard-pattern';

/** The same semantics as a regular expression (fine for the short values here; never used in the engine). */
function referenceMatches(pattern: string, value: string): boolean {
  let source = '';
  const characters = Array.from(pattern);
  for (let i = 0; i < characters.length; i += 1) {
    const c = characters[i] as string;
    if (c === '\\' && i + 1 < characters.length) source += escapeRegExp(characters[++i] as string);
    else if (c === '*') source += '[\\s\\S]*';
    else if (c === '?') source += '[\\s\\S]';
    else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`, 'u').test(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Wall time of `work`, in ms. */
function elapsedMs(work: () => unknown): number {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

describe('exception wildcards (Kibana "matches")', () => {
  it('agree with the regular-expression reading on generated patterns and values, astral characters included', () => {
    const characters = fc.constantFrom('a', 'b', '😀', '\\', '*', '?');
    fc.assert(
      fc.property(fc.array(characters, { maxLength: 8 }), fc.array(characters, { maxLength: 10 }), (pattern, value) => {
        const patternText = pattern.join('');
        const valueText = value.join('');
        return wildcardPattern(patternText).test(valueText) === referenceMatches(patternText, valueText);
      }),
      { numRuns: 5000, seed: 108 },
    );
  });

  describe('cost linear in the value (issue 10, case 8)', () => {
    // A hostile 1 MB user agent: every offset starts a near-match of the segments below.
    const value = 'a'.repeat(1 << 20);
    // The floor: one pass over the value's code points.
    const readOnce = (): number => {
      let sum = 0;
      for (let index = 0; index < value.length; index += 1) sum += value.codePointAt(index) as number;
      return sum;
    };
    /** Time of `test` against the value as a multiple of the floor, runs interleaved so machine load affects both. */
    const costInPasses = (pattern: string): number => {
      const compiled = wildcardPattern(pattern);
      let floor = 0;
      let matching = 0;
      for (let round = 0; round < 3; round += 1) {
        floor += elapsedMs(readOnce);
        matching += elapsedMs(() => expect(compiled.test(value)).toBe(false));
      }
      return matching / floor;
    };

    // Comparing the segment at every offset cost value length × segment length: 16,000 passes for the long one.
    it.each([
      ['a long literal segment (1,000 characters)', `*${'a'.repeat(1_000)}b*`],
      ['a very long literal segment (16,000 characters)', `*${'a'.repeat(16_000)}b*`],
      ['a segment with ? (128 tokens, 4 words)', `*${'a?'.repeat(64)}b*`],
      ['several segments', `*${'a'.repeat(500)}b*${'a?'.repeat(32)}c*`],
    ])('costs a few passes over a 1 MB value with %s', (_name, pattern) => {
      expect(costInPasses(pattern)).toBeLessThan(60);
    });

    it('still finds a match at the far end of the value', () => {
      expect(wildcardPattern(`*${'a'.repeat(16_000)}b`).test(`${value}b`)).toBe(true);
      expect(wildcardPattern(`*${'a?'.repeat(64)}b`).test(`${value}b`)).toBe(true);
      expect(wildcardPattern(`a*${'a?'.repeat(64)}b*`).test(`${value}b`)).toBe(true);
    });
  });
});

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

/** Median wall time of `work` over `runs` runs, in ms. */
function medianMs(work: () => unknown, runs = 5): number {
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const start = process.hrtime.bigint();
    work();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)] as number;
}

describe('exception wildcards (Kibana "matches")', () => {
  it('agree with the regular-expression reading on generated patterns and values, astral characters included', () => {
    const alphabet = fc.constantFrom('a', 'b', '😀', '\\', '*', '?');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 8 }), fc.array(fc.constantFrom('a', 'b', '😀', '*', '?', '\\'), { maxLength: 10 }), (pattern, value) => {
        const patternText = pattern.join('');
        const valueText = value.join('');
        return wildcardPattern(patternText).test(valueText) === referenceMatches(patternText, valueText);
      }),
      { numRuns: 5000, seed: 108 },
    );
  });

  describe('cost linear in the value (issue 10, case 8)', () => {
    const MEBIBYTE = 1 << 20;
    const value = 'a'.repeat(MEBIBYTE); // a hostile user agent: every offset starts a near-match
    // The floor: one pass over the value's code points.
    const readOnce = (): number => {
      let sum = 0;
      for (let index = 0; index < value.length; index += 1) sum += value.codePointAt(index) as number;
      return sum;
    };

    it('a 1 MB value against long literal segments costs a few passes over the value, whatever the segment length', () => {
      const short = wildcardPattern(`*${'a'.repeat(1_000)}b*`);
      const long = wildcardPattern(`*${'a'.repeat(16_000)}b*`);
      // Interleaved, so machine load affects all alike.
      let floor = 0;
      let shortMs = 0;
      let longMs = 0;
      for (let round = 0; round < 3; round += 1) {
        floor += medianMs(readOnce, 3);
        shortMs += medianMs(() => expect(short.test(value)).toBe(false), 1);
        longMs += medianMs(() => expect(long.test(value)).toBe(false), 1);
      }
      // Comparing at every offset cost value length × segment length: 16,000 passes for the long segment.
      expect(longMs / floor).toBeLessThan(60);
      expect(shortMs / floor).toBeLessThan(60);
    });

    it('a 1 MB value against a segment with ? costs one word per 32 characters of the segment, per character', () => {
      const pattern = wildcardPattern(`*${'a?'.repeat(64)}b*`); // 128 tokens: 4 words
      let floor = 0;
      let patternMs = 0;
      for (let round = 0; round < 3; round += 1) {
        floor += medianMs(readOnce, 3);
        patternMs += medianMs(() => expect(pattern.test(value)).toBe(false), 1);
      }
      // Offset by offset this was 128 passes over the value.
      expect(patternMs / floor).toBeLessThan(60);
    });

    it('still finds a match at the far end of the value', () => {
      expect(wildcardPattern(`*${'a'.repeat(16_000)}b`).test(`${value}b`)).toBe(true);
      expect(wildcardPattern(`*${'a?'.repeat(64)}b`).test(`${value}b`)).toBe(true);
      expect(wildcardPattern(`a*${'a?'.repeat(64)}b*`).test(`${value}b`)).toBe(true);
    });
  });
});

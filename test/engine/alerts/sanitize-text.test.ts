import { sanitizeInline } from '../../../src/engine/alerts';
import { escapeUnsafeInJson } from '../../../src/engine/alerts/sanitize-text';

/**
 * The sanitizer's set is Unicode's, checked here over every code point: each Default_Ignorable_Code_Point, format
 * (Cf), control (Cc), line/paragraph separator and lone surrogate is shown as an escape, and nothing else is touched
 * except U+2800 BRAILLE PATTERN BLANK. The expectation is built from each Unicode property on its own, one code point
 * at a time, so a regression in the sanitizer's combined pattern (a dropped class, a missing `u` flag that would
 * split astral characters) shows up as a mismatch at a named code point.
 */
const IGNORABLE = /^\p{Default_Ignorable_Code_Point}$/u;
const FORMAT = /^\p{General_Category=Format}$/u;
const CONTROL = /^\p{General_Category=Control}$/u;
const SEPARATOR = /^[\p{General_Category=Line_Separator}\p{General_Category=Paragraph_Separator}]$/u;

function mustEscape(codePoint: number): boolean {
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return true; // a surrogate on its own
  const character = String.fromCodePoint(codePoint);
  return IGNORABLE.test(character) || FORMAT.test(character) || CONTROL.test(character) || SEPARATOR.test(character) || codePoint === 0x2800;
}

function escaped(codePoint: number): string {
  return `\\u{${codePoint.toString(16).padStart(4, '0')}}`;
}

describe('sanitizeInline over all of Unicode (issue 10, case 6)', () => {
  it('escapes exactly the default-ignorable, format, control and separator code points, block by block', () => {
    const mismatches: string[] = [];
    let escapedCount = 0;
    for (let blockStart = 0; blockStart <= 0x10ffff; blockStart += 0x1000) {
      let input = '';
      let expected = '';
      for (let codePoint = blockStart; codePoint < blockStart + 0x1000; codePoint += 1) {
        // Lone surrogates are tested one by one below: next to each other they would pair up.
        if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue;
        const character = String.fromCodePoint(codePoint);
        input += character;
        if (mustEscape(codePoint)) {
          escapedCount += 1;
          expected += escaped(codePoint);
        } else expected += character;
      }
      const actual = sanitizeInline(input, Number.MAX_SAFE_INTEGER);
      if (actual !== expected) {
        // Find the first code point of the block that differs, to name it.
        for (let codePoint = blockStart; codePoint < blockStart + 0x1000; codePoint += 1) {
          if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue;
          const one = String.fromCodePoint(codePoint);
          const want = mustEscape(codePoint) ? escaped(codePoint) : one;
          if (sanitizeInline(one, 100) !== want) {
            mismatches.push(`U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`);
            break;
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    // Unicode 15 and later list well over 4,000 such code points (tags, variation selectors, reserved ignorables).
    expect(escapedCount).toBeGreaterThan(4_000);
  });

  it('escapes every lone surrogate, high or low, and keeps a valid pair as its character', () => {
    for (let unit = 0xd800; unit <= 0xdfff; unit += 1) {
      expect(sanitizeInline(`a${String.fromCharCode(unit)}b`, 100)).toBe(`a${escaped(unit)}b`);
    }
    expect(sanitizeInline('\u{1F600}', 100)).toBe('\u{1F600}');
  });

  it.each([
    ['soft hyphen', 0x00ad],
    ['combining grapheme joiner', 0x034f],
    ['variation selector 16', 0xfe0f],
    ['variation selector supplement (hidden text carrier)', 0xe0100],
    ['last variation selector supplement', 0xe01ef],
    ['Braille pattern blank', 0x2800],
    ['invisible musical format: begin beam', 0x1d173],
    ['shorthand format letter overlap', 0x1bca0],
    ['Hangul filler', 0x3164],
    ['halfwidth Hangul filler', 0xffa0],
    ['Mongolian free variation selector', 0x180b],
    ['tag Latin small letter a', 0xe0061],
    ['right-to-left override', 0x202e],
    ['zero-width space', 0x200b],
    ['word joiner', 0x2060],
    ['ESC', 0x1b],
  ])('escapes the %s, named in the issue', (_name, codePoint) => {
    expect(sanitizeInline(`x${String.fromCodePoint(codePoint)}y`, 100)).toBe(`x${escaped(codePoint)}y`);
  });

  it('leaves ordinary text in any script alone', () => {
    const text = 'Zoë exported café-Ωμέγα → s3://bucket/ключ/鍵 ✅ 👍🏽';
    expect(sanitizeInline(text, 1000)).toBe(text);
  });

  it('escapeUnsafeInJson: JSON that parses back to the same value, with no unsafe character left raw', () => {
    const value = { key: 'alerts/e\u202e\u009b\u200b\u{e0041}\u007f.json', rule: 'r\u001b[2J\r\n', plain: 'Zoë 👍🏽' };
    const json = escapeUnsafeInJson(JSON.stringify(value));
    expect(json).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b\u202e\u{e0041}]/u);
    expect(json).toContain('\\u202e\\u009b\\u200b\\udb40\\udc41\\u007f');
    expect(json).toContain('Zoë 👍🏽');
    expect(JSON.parse(json)).toEqual(value);
  });
});

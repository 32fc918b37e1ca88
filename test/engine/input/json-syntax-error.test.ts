import fc from 'fast-check';
import { findJsonSyntaxError } from '../../../src/engine/input/json-syntax-error';

const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('findJsonSyntaxError', () => {
  it.each([
    ['{"a":1,}', 7, 'expected a double-quoted property name'],
    ['not json', 0, 'expected a JSON value'],
    ['{"a":1', 6, "unexpected end of input, expected ',' or '}'"],
    ['[1,2]x', 5, 'unexpected text after the JSON value'],
    ['{"a":"b\nc"}', 7, 'control character'],
    ['"abc', 4, 'unterminated string'],
    ['{"a" 1}', 5, "expected ':' after property name"],
    ['[1,,2]', 3, 'expected a JSON value'],
    ['["\\x"]', 2, 'invalid escape'],
    ['-', 1, 'invalid number'],
    ['', 0, 'unexpected end of input'],
  ])('locates the error in %j at offset %d', (text, offset, message) => {
    const error = findJsonSyntaxError(text);
    expect(error?.offset).toBe(offset);
    expect(error?.message).toContain(message);
  });

  it('accepts deeply nested valid JSON without recursion', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(findJsonSyntaxError(deep)).toBeUndefined();
  });

  it('agrees with JSON.parse on valid JSON in any layout', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2, '\t'), (value, indent) => {
        expect(findJsonSyntaxError(JSON.stringify(value, null, indent))).toBeUndefined();
      }),
    );
  });

  it('agrees with JSON.parse on damaged JSON', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.string({ maxLength: 2 }), (text, at, insert) => {
        const position = at % (text.length + 1);
        const damaged = text.slice(0, position) + insert + text.slice(position + 1);
        expect(findJsonSyntaxError(damaged) === undefined).toBe(parses(damaged));
      }),
      { numRuns: 2000 },
    );
  });
});

/**
 * Character classes of Kibana's KQL grammar (kbn-es-query grammar.peggy), shared by the literal scanner and the
 * parser so both agree on what separates tokens.
 */

/** Space, tab, CR, LF and the no-break space, which Kibana counts as whitespace (users paste it from documents). */
export function isKqlSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\t' || char === '\r' || char === '\n' || char === '\u00a0';
}

/** Characters that end an unquoted literal unless escaped with a backslash. */
export function isSpecialCharacter(char: string | undefined): boolean {
  return char !== undefined && char.length === 1 && '\\():<>"*{}'.includes(char);
}

/** Compares without slicing: this runs for every character of every unquoted value. */
function startsWithWordIgnoringCase(text: string, offset: number, word: string): boolean {
  if (offset + word.length > text.length) return false;
  for (let i = 0; i < word.length; i++) {
    // ASCII letters only: OR-ing 0x20 lower-cases them and leaves no other character equal to a lower-case letter.
    if ((text.charCodeAt(offset + i) | 0x20) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/** Whether the character at a position is KQL whitespace: the grammar's `Space` rule, as the parser evaluates it. */
export type SpaceProbe = (offset: number) => boolean;

/**
 * True where an unquoted literal must stop because a keyword begins: whitespace + `or`/`and` + whitespace, or
 * `not` + whitespace (Kibana checks `not` even in the middle of a word, so `cannot find` is not one value).
 * `isSpaceAt` is asked in the order of Kibana's `Keyword` rule (`Space 'or'i Space / Space 'and'i Space / 'not'i
 * Space`), so a packrat parser can record each answer exactly where the grammar would have cached it.
 */
export function keywordStartsAt(text: string, offset: number, isSpaceAt: SpaceProbe = (at) => isKqlSpace(text[at])): boolean {
  if (isSpaceAt(offset)) {
    if (startsWithWordIgnoringCase(text, offset + 1, 'or') && isSpaceAt(offset + 3)) return true;
    if (startsWithWordIgnoringCase(text, offset + 1, 'and') && isSpaceAt(offset + 4)) return true;
  }
  return startsWithWordIgnoringCase(text, offset, 'not') && isSpaceAt(offset + 3);
}

/** Length of a case-insensitive keyword at `offset`, or 0. */
export function keywordLengthAt(text: string, offset: number, keyword: 'and' | 'or' | 'not'): number {
  return startsWithWordIgnoringCase(text, offset, keyword) ? keyword.length : 0;
}

const HEX_DIGITS = /^[0-9a-fA-F]{4}$/;

/** Decodes `uXXXX` following a backslash at `backslashOffset`, or returns undefined when it is not one. */
export function unicodeEscapeAt(text: string, backslashOffset: number): string | undefined {
  if (text[backslashOffset + 1] !== 'u') return undefined;
  const digits = text.slice(backslashOffset + 2, backslashOffset + 6);
  return HEX_DIGITS.test(digits) ? String.fromCharCode(parseInt(digits, 16)) : undefined;
}

const ESCAPED_WHITESPACE: Readonly<Record<string, string>> = { t: '\t', r: '\r', n: '\n' };

/** `\t`, `\r`, `\n` following a backslash, decoded; undefined otherwise. */
export function whitespaceEscapeAt(text: string, backslashOffset: number): string | undefined {
  const letter = text[backslashOffset + 1];
  return letter !== undefined && Object.prototype.hasOwnProperty.call(ESCAPED_WHITESPACE, letter)
    ? ESCAPED_WHITESPACE[letter]
    : undefined;
}

/**
 * Scans the two kinds of KQL literal (Kibana grammar rules QuotedString and UnquotedLiteral).
 * Both return undefined instead of failing loudly: the parser decides what to report, like the named PEG rules
 * "value", "literal" and "fieldName" do in Kibana.
 */
import type { KqlLiteral, KqlValue } from './ast';
import {
  isSpecialCharacter,
  keywordLengthAt,
  keywordStartsAt,
  unicodeEscapeAt,
  whitespaceEscapeAt,
  type SpaceProbe,
} from './characters';

export interface Scanned<T> {
  readonly node: T;
  /** Offset just after the literal. */
  readonly end: number;
}

/** `"..."`: decodes \t \r \n \uXXXX \\ \"; any other backslash stays as written (Kibana and the reference agree). */
export function scanQuotedString(text: string, offset: number): Scanned<KqlLiteral> | undefined {
  if (text[offset] !== '"') return undefined;
  let value = '';
  let position = offset + 1;
  while (position < text.length) {
    const char = text[position];
    if (char === '"') return { node: { kind: 'literal', value, quoted: true }, end: position + 1 };
    if (char === '\\') {
      const whitespace = whitespaceEscapeAt(text, position);
      if (whitespace !== undefined) {
        value += whitespace;
        position += 2;
        continue;
      }
      const unicode = unicodeEscapeAt(text, position);
      if (unicode !== undefined) {
        value += unicode;
        position += 6;
        continue;
      }
      const next = text[position + 1];
      if (next === '\\' || next === '"') {
        value += next;
        position += 2;
        continue;
      }
    }
    value += char;
    position += 1;
  }
  return undefined;
}

/** One decoded piece of an unquoted literal: text, or an unescaped `*`. */
type Piece = string | typeof WILDCARD;
const WILDCARD = Symbol('wildcard');

function escapedPieceAt(text: string, backslashOffset: number): { piece: string; length: number } | undefined {
  const whitespace = whitespaceEscapeAt(text, backslashOffset);
  if (whitespace !== undefined) return { piece: whitespace, length: 2 };
  const next = text[backslashOffset + 1];
  if (isSpecialCharacter(next)) return { piece: next as string, length: 2 };
  const unicode = unicodeEscapeAt(text, backslashOffset);
  if (unicode !== undefined) return { piece: unicode, length: 6 };
  for (const keyword of ['or', 'and', 'not'] as const) {
    const length = keywordLengthAt(text, backslashOffset + 1, keyword);
    // Kibana keeps the keyword as written (`\AND` gives "AND").
    if (length > 0) return { piece: text.slice(backslashOffset + 1, backslashOffset + 1 + length), length: 1 + length };
  }
  return undefined;
}

/**
 * Unquoted text, Kibana style: may contain spaces, stops at an unescaped special character or where a keyword
 * begins, and is trimmed. `true`/`false`/`null` stay literals whose text is the keyword; numbers stay text.
 * `isSpaceAt` answers the keyword check's whitespace questions (see `keywordStartsAt`); it is also asked at the end
 * of the text, where Kibana's `!Keyword` looks too before `.` fails.
 */
export function scanUnquotedLiteral(text: string, offset: number, isSpaceAt?: SpaceProbe): Scanned<KqlValue> | undefined {
  const pieces: Piece[] = [];
  let position = offset;
  for (;;) {
    if (position >= text.length) {
      isSpaceAt?.(position);
      break;
    }
    const char = text[position];
    if (char === '\\') {
      const escaped = escapedPieceAt(text, position);
      if (escaped === undefined) break;
      pieces.push(escaped.piece);
      position += escaped.length;
      continue;
    }
    if (char === '*') {
      pieces.push(WILDCARD);
      position += 1;
      continue;
    }
    if (isSpecialCharacter(char) || keywordStartsAt(text, position, isSpaceAt)) break;
    pieces.push(char);
    position += 1;
  }
  if (pieces.length === 0) return undefined;
  return { node: buildValue(pieces), end: position };
}

function buildValue(pieces: readonly Piece[]): KqlValue {
  const segments: string[] = [''];
  for (const piece of pieces) {
    if (piece === WILDCARD) segments.push('');
    else segments[segments.length - 1] += piece;
  }
  // Kibana trims the joined sequence; a `*` is never whitespace, so only the outer segments can shrink.
  segments[0] = segments[0].trimStart();
  segments[segments.length - 1] = segments[segments.length - 1].trimEnd();
  if (segments.length === 1) return { kind: 'literal', value: segments[0], quoted: false };
  return { kind: 'wildcard', segments };
}

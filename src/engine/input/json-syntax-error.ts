/**
 * Finds where a JSON text stops being valid, with a message of our own.
 * JSON.parse stays the parser; this runs only after it failed, because V8's messages carry a position for some errors
 * ("... in JSON at position 7") and none for others ("Unexpected token 'x', ... is not valid JSON"), and change
 * between Node versions. A state machine with an explicit stack, so deeply nested input cannot overflow the call stack.
 */

export interface JsonSyntaxError {
  /** Index into the text (UTF-16 code units) of the first character that cannot be accepted. */
  readonly offset: number;
  readonly message: string;
}

type Container = 'object' | 'array';
type State = 'value' | 'objectStart' | 'arrayStart' | 'afterValue';

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;
const LITERALS = ['true', 'false', 'null'] as const;

/** Returns undefined when the text is one valid JSON value (surrounded by optional whitespace). */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const stack: Container[] = [];
  let state: State = 'value';
  let i = 0;
  for (;;) {
    i = skipWhitespace(text, i);
    switch (state) {
      case 'value': {
        const c = text[i];
        if (c === '{' || c === '[') {
          stack.push(c === '{' ? 'object' : 'array');
          state = c === '{' ? 'objectStart' : 'arrayStart';
          i += 1;
          break;
        }
        const end = readScalar(text, i);
        if (typeof end !== 'number') return end;
        i = end;
        state = 'afterValue';
        break;
      }
      case 'objectStart':
      case 'arrayStart': {
        if (text[i] === (state === 'objectStart' ? '}' : ']')) {
          stack.pop();
          i += 1;
          state = 'afterValue';
        } else if (state === 'objectStart') {
          const end = readKey(text, i, "expected a double-quoted property name or '}'");
          if (typeof end !== 'number') return end;
          i = end;
          state = 'value';
        } else {
          state = 'value';
        }
        break;
      }
      case 'afterValue': {
        const top = stack[stack.length - 1];
        if (top === undefined) return i < text.length ? failure(text, i, 'unexpected text after the JSON value') : undefined;
        if (text[i] === (top === 'object' ? '}' : ']')) {
          stack.pop();
          i += 1;
        } else if (text[i] === ',') {
          i = skipWhitespace(text, i + 1);
          if (top === 'object') {
            const end = readKey(text, i, 'expected a double-quoted property name');
            if (typeof end !== 'number') return end;
            i = end;
          }
          state = 'value';
        } else {
          return failure(text, i, top === 'object' ? "expected ',' or '}' after property value" : "expected ',' or ']' after array element");
        }
        break;
      }
    }
  }
}

/** A string, number or literal starting at `i`; returns the index just after it. */
function readScalar(text: string, i: number): number | JsonSyntaxError {
  const c = text[i];
  if (c === '"') return readString(text, i);
  if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
    NUMBER.lastIndex = i;
    const match = NUMBER.exec(text);
    if (match === null) return failure(text, i + 1, 'invalid number');
    return i + match[0].length;
  }
  for (const literal of LITERALS) {
    if (text.startsWith(literal, i)) return i + literal.length;
  }
  return failure(text, i, 'expected a JSON value');
}

/** Reads `"key"` and the colon after it; returns the index after the colon. */
function readKey(text: string, i: number, expectation: string): number | JsonSyntaxError {
  if (text[i] !== '"') return failure(text, i, expectation);
  const afterKey = readString(text, i);
  if (typeof afterKey !== 'number') return afterKey;
  const colon = skipWhitespace(text, afterKey);
  if (text[colon] !== ':') return failure(text, colon, "expected ':' after property name");
  return colon + 1;
}

function readString(text: string, start: number): number | JsonSyntaxError {
  let i = start + 1;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code === 0x5c) {
      ESCAPE.lastIndex = i;
      if (!ESCAPE.test(text)) return { offset: i, message: 'invalid escape sequence in string' };
      i = ESCAPE.lastIndex;
    } else if (code < 0x20) {
      return { offset: i, message: 'control character (such as a raw line break) in string' };
    } else {
      i += 1;
    }
  }
  return { offset: text.length, message: 'unterminated string' };
}

function skipWhitespace(text: string, i: number): number {
  let j = i;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    j += 1;
  }
  return j;
}

function failure(text: string, offset: number, expectation: string): JsonSyntaxError {
  if (offset >= text.length) return { offset: text.length, message: `unexpected end of input, ${expectation}` };
  return { offset, message: `${expectation}, found ${describeChar(text, offset)}` };
}

function describeChar(text: string, offset: number): string {
  const codePoint = text.codePointAt(offset) ?? 0;
  if (codePoint < 0x20 || codePoint === 0x7f) return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${String.fromCodePoint(codePoint)}'`;
}

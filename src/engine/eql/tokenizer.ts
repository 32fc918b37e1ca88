/**
 * EQL tokens, following the lexer rules of Elasticsearch's EqlBase grammar: identifiers (`process.name` is three
 * tokens), backquoted identifiers, double-quoted strings with escapes, `"""raw"""` strings, integers and decimals,
 * operators, and the hidden `//` and nested `/* … *\/` comments. A function name, `in`, `like` or `regex`
 * directly followed by `~` is one token (`startsWith~`, `in~`).
 */
import { EqlSyntaxError } from './syntax-error';

export type EqlToken =
  | { readonly type: 'identifier'; readonly text: string; readonly start: number; readonly end: number }
  | { readonly type: 'escapedIdentifier'; readonly text: string; readonly start: number; readonly end: number }
  | { readonly type: 'string'; readonly value: string; readonly start: number; readonly end: number }
  | { readonly type: 'number'; readonly value: number; readonly double: boolean; readonly text: string; readonly start: number; readonly end: number }
  | { readonly type: 'operator'; readonly text: string; readonly start: number; readonly end: number }
  | { readonly type: 'end'; readonly start: number; readonly end: number };

/** Longest first, so `<=` wins over `<` and `![` over `!`. */
const OPERATORS = ['==', '!=', '<=', '>=', '![', '<', '>', '=', ':', '+', '-', '*', '/', '%', '.', ',', '[', ']', '(', ')', '|', '?'];

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isLetter = (c: string | undefined): boolean => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isIdentifierStart = (c: string | undefined): boolean => isLetter(c) || c === '_' || c === '@';
const isIdentifierPart = (c: string | undefined): boolean => isLetter(c) || isDigit(c) || c === '_';
/** Elasticsearch's WS rule: no other whitespace is allowed between tokens. */
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', "'": "'", '\\': '\\' };

export function tokenize(query: string): EqlToken[] {
  const tokens: EqlToken[] = [];
  let i = 0;
  const fail = (offset: number, problem: string): never => {
    throw new EqlSyntaxError(query, offset, problem);
  };
  while (true) {
    i = skipHidden(query, i, fail);
    if (i >= query.length) break;
    const start = i;
    const c = query[i];
    if (isIdentifierStart(c)) {
      i += 1;
      while (isIdentifierPart(query[i])) i += 1;
      if (query[i] === '~') i += 1;
      tokens.push({ type: 'identifier', text: query.slice(start, i), start, end: i });
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(query[i + 1]))) {
      tokens.push(readNumber(query, start));
      i = tokens[tokens.length - 1].end;
      continue;
    }
    if (c === '`') {
      const close = query.indexOf('`', i + 1);
      if (close < 0) fail(start, 'this quoted field name is never closed (a backquote ` is missing)');
      tokens.push({ type: 'escapedIdentifier', text: query.slice(i + 1, close), start, end: close + 1 });
      i = close + 1;
      continue;
    }
    if (c === '"') {
      const token = query.startsWith('"""', i) ? readRawString(query, start, fail) : readString(query, start, fail);
      tokens.push(token);
      i = token.end;
      continue;
    }
    if (c === "'") fail(start, 'strings are written in double quotes ("…"), not single quotes');
    if (c === '?' && (query[i + 1] === '"' || query[i + 1] === "'")) {
      fail(start, 'the ?"…" raw string form is not supported; write a raw string as """…"""');
    }
    const operator = OPERATORS.find((candidate) => query.startsWith(candidate, i));
    if (operator === undefined) {
      fail(start, c === '!' ? "'!' must be followed by '=' (not equal) or '[' (a missing event)" : `unexpected character ${JSON.stringify(c)}`);
    } else {
      tokens.push({ type: 'operator', text: operator, start, end: i + operator.length });
      i += operator.length;
    }
  }
  tokens.push({ type: 'end', start: query.length, end: query.length });
  return tokens;
}

/** Skips whitespace and comments; returns the offset of the next token. */
function skipHidden(query: string, from: number, fail: (offset: number, problem: string) => never): number {
  let i = from;
  while (i < query.length) {
    if (isSpace(query[i])) {
      i += 1;
    } else if (query.startsWith('//', i)) {
      while (i < query.length && query[i] !== '\n') i += 1;
    } else if (query.startsWith('/*', i)) {
      i = skipBlockComment(query, i, fail);
    } else {
      break;
    }
  }
  return i;
}

/** Block comments nest, as in Elasticsearch's BRACKETED_COMMENT rule. */
function skipBlockComment(query: string, start: number, fail: (offset: number, problem: string) => never): number {
  let depth = 0;
  let i = start;
  while (i < query.length) {
    if (query.startsWith('/*', i)) {
      depth += 1;
      i += 2;
    } else if (query.startsWith('*/', i)) {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else {
      i += 1;
    }
  }
  return fail(start, 'this comment is never closed (*/ is missing)');
}

function readNumber(query: string, start: number): EqlToken {
  let i = start;
  while (isDigit(query[i])) i += 1;
  let double = false;
  if (query[i] === '.' && (isDigit(query[i + 1]) || i > start)) {
    double = true;
    i += 1;
    while (isDigit(query[i])) i += 1;
  }
  if ((query[i] === 'e' || query[i] === 'E') && (isDigit(query[i + 1]) || ((query[i + 1] === '+' || query[i + 1] === '-') && isDigit(query[i + 2])))) {
    double = true;
    i += 2;
    while (isDigit(query[i])) i += 1;
  }
  const text = query.slice(start, i);
  return { type: 'number', value: Number(text), double, text, start, end: i };
}

function readString(query: string, start: number, fail: (offset: number, problem: string) => never): EqlToken {
  let value = '';
  let i = start + 1;
  while (true) {
    const c = query[i];
    if (c === undefined || c === '\n' || c === '\r') {
      return fail(start, 'this quoted string is never closed (a string cannot span lines; use """…""" for that)');
    }
    if (c === '"') break;
    if (c !== '\\') {
      value += c;
      i += 1;
      continue;
    }
    const next = query[i + 1];
    if (next !== undefined && next in SIMPLE_ESCAPES) {
      value += SIMPLE_ESCAPES[next];
      i += 2;
    } else if (next === 'u' && query[i + 2] === '{') {
      const close = query.indexOf('}', i + 3);
      const digits = close < 0 ? '' : query.slice(i + 3, close);
      const codePoint = /^[0-9a-fA-F]{1,8}$/.test(digits) ? parseInt(digits, 16) : Number.NaN;
      if (!(codePoint <= 0x10ffff)) fail(i, 'a unicode escape is written \\u{XXXX} with 1 to 8 hexadecimal digits of a valid code point');
      value += String.fromCodePoint(codePoint);
      i = close + 1;
    } else {
      fail(i, `unknown escape sequence \\${next ?? ''} in a string: the escapes are \\" \\\\ \\' \\b \\f \\n \\r \\t \\u{XXXX} (write \\\\ for a backslash)`);
    }
  }
  return { type: 'string', value, start, end: i + 1 };
}

/** `"""…"""`: no escapes; it ends at the first `"""` (up to two more quotes then belong to the text). */
function readRawString(query: string, start: number, fail: (offset: number, problem: string) => never): EqlToken {
  const close = query.indexOf('"""', start + 3);
  if (close < 0) return fail(start, 'this raw string is never closed (""" is missing)');
  let end = close + 3;
  while (query[end] === '"' && end - close < 5) end += 1;
  return { type: 'string', value: query.slice(start + 3, end - 3), start, end };
}

/**
 * The error thrown for a query that does not parse. It carries the position and the raw PEG expectations (the same
 * descriptions Kibana's parser uses: `"("`, `AND`, `value`, `end of input`...) and a message written for someone
 * fixing a rule by hand.
 */
import { isKqlSpace } from './characters';

export interface KqlSyntaxErrorDetails {
  /** Expectation descriptions, sorted and distinct. Empty when `problem` explains the error instead. */
  readonly expected: readonly string[];
  /** A complete explanation used instead of "expected ... but found ...". */
  readonly problem?: string;
}

export class KqlSyntaxError extends Error {
  /** 1-based line of the offending character. */
  readonly line: number;
  /** 1-based column (in UTF-16 code units) of the offending character. */
  readonly column: number;
  /** 0-based offset of the offending character in the query. */
  readonly offset: number;
  readonly expected: string[];
  readonly query: string;

  constructor(query: string, offset: number, details: KqlSyntaxErrorDetails) {
    const { line, column } = lineAndColumn(query, offset);
    const explanation = details.problem ?? describeFailure(query, offset, details.expected);
    super(`line ${line}, column ${column}: ${explanation}`);
    this.name = 'KqlSyntaxError';
    this.line = line;
    this.column = column;
    this.offset = offset;
    this.expected = [...details.expected];
    this.query = query;
  }
}

function lineAndColumn(query: string, offset: number): { line: number; column: number } {
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset && i < query.length; i++) {
    if (query[i] === '\n') {
      line += 1;
      column = 1;
    } else {
      column += 1;
    }
  }
  return { line, column };
}

const RANGE_OPERATORS = ['"<"', '"<="', '">"', '">="'];
const TERM_EXPECTATIONS = ['value', 'literal', 'fieldName'];

function describeFailure(query: string, offset: number, expected: readonly string[]): string {
  const wanted = describeExpected(expected);
  const after = expected.some((item) => TERM_EXPECTATIONS.includes(item)) ? precedingToken(query, offset) : undefined;
  const found = describeFound(query, offset);
  const hint = hintFor(query, offset);
  return `expected ${wanted}${after ? ` after ${after}` : ''} but found ${found}${hint ? `; ${hint}` : ''}`;
}

function describeExpected(expected: readonly string[]): string {
  const set = new Set(expected);
  const phrases: string[] = [];
  // A value implies its alternatives "(" (value list), "{" (nested query) and NOT, so naming them only adds noise.
  if (set.has('fieldName')) phrases.push('a field or value');
  else if (set.has('value') || set.has('literal')) phrases.push('a value');
  const termExpected = phrases.length > 0;
  if (set.has('"("') && !termExpected) phrases.push("'('");
  if (set.has('"{"') && !termExpected) phrases.push("'{'");
  if (set.has('NOT') && !termExpected) phrases.push("'not'");
  if (set.has('":"')) phrases.push("':'");
  if (RANGE_OPERATORS.some((operator) => set.has(operator))) phrases.push('a comparison (<, <=, >, >=)');
  if (set.has('")"')) phrases.push("')'");
  if (set.has('"}"')) phrases.push("'}'");
  if (set.has('AND')) phrases.push("'and'");
  if (set.has('OR')) phrases.push("'or'");
  if (set.has('end of input')) phrases.push('end of query');
  if (phrases.length === 0) phrases.push(set.has('whitespace') ? 'whitespace' : 'something else');
  if (phrases.length === 1) return phrases[0];
  // "a field or value or end of query" reads badly; a comma separates alternatives that contain "or" themselves.
  const separator = phrases.some((phrase) => phrase.includes(' or ')) ? ', or ' : ' or ';
  return `${phrases.slice(0, -1).join(', ')}${separator}${phrases[phrases.length - 1]}`;
}

/** The token before the failure, so "expected a value" can say after what. */
function precedingToken(query: string, offset: number): string | undefined {
  let end = Math.min(offset, query.length);
  while (end > 0 && isKqlSpace(query[end - 1])) end -= 1;
  if (end === 0) return undefined;
  const last = query[end - 1];
  if (last === '=' && (query[end - 2] === '<' || query[end - 2] === '>')) return `'${query.slice(end - 2, end)}'`;
  if (':<>({'.includes(last)) return `'${last}'`;
  const word = /(?:^|[^A-Za-z])(and|or|not)$/i.exec(query.slice(Math.max(0, end - 4), end));
  return word ? `'${word[1]}'` : undefined;
}

function describeFound(query: string, offset: number): string {
  if (offset >= query.length) return 'end of query';
  const char = query[offset];
  if (char === '\n' || char === '\r') return 'a line break';
  if (isKqlSpace(char)) return 'whitespace';
  const word = /^[^\s\u00a0\\():<>"*{}]{1,30}/.exec(query.slice(offset));
  return `'${word ? word[0] : char}'`;
}

function hintFor(query: string, offset: number): string | undefined {
  const char = query[offset];
  const before = query.slice(Math.max(0, offset - 3), offset);
  if (char === '\\') {
    return 'outside quotes the only escapes are \\\\ \\( \\) \\: \\< \\> \\" \\* \\{ \\} \\t \\r \\n \\uXXXX \\and \\or \\not';
  }
  if (char === '"' && !query.includes('"', offset + 1)) return 'this quoted string is never closed';
  if (/^(and|or|not)(?![A-Za-z0-9_.@-])/i.test(query.slice(offset)) || (char === '(' && /(and|or|not)$/i.test(before))) {
    return 'and/or/not are keywords: they need whitespace on both sides, and a value containing one must be quoted or escape it (\\not)';
  }
  switch (char) {
    case ':':
      return "a ':' inside a value must be escaped (\\:) or quoted; a new condition must be joined with 'and' or 'or'";
    case '<':
    case '>':
    case '(':
      return `a '${char}' inside a value must be escaped (\\${char}) or quoted`;
    case ')':
      return `unbalanced ')', or a ')' inside a value that must be escaped (\\)) or quoted`;
    default:
      return undefined;
  }
}

/**
 * Tests of a single document value against a query value, decided by the document value's JSON type (literals keep
 * their text, as Kibana does; the comparison chooses how to read it):
 * - string: exact, case-sensitive text comparison (or CIDR membership when the query value is a CIDR block and the
 *   string is an IP address);
 * - number: numeric comparison when the literal is a number, otherwise no match;
 * - boolean: matches the text `true`/`false` (so the keyword string "true" and the boolean agree, as in ES);
 * - objects never equal a value.
 */
import type { KqlValue, RangeOperator } from './ast';
import { compileCidr } from './cidr';
import { containsValue, isJsonObject, type ValueTest } from './document-access';
import { compileWildcard, isLoneWildcard } from './wildcard';

const NUMBER_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a literal spells, or undefined: decimal notation only (no hex, `inf`, `1_000`). */
export function numberFromLiteral(text: string): number | undefined {
  if (!NUMBER_TEXT.test(text)) return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

const NEVER: ValueTest = () => false;

/** Whether the value is an unquoted `null`, which Kibana/ES never match (use `not f:*` for "missing"). */
function isNullKeyword(value: KqlValue): boolean {
  return value.kind === 'literal' && !value.quoted && value.value === 'null';
}

/** `f:*`: the field has a value; an object counts only if it holds some non-null value. */
export const EXISTS: ValueTest = (value) => (isJsonObject(value) ? containsValue(value) : true);

export function isExistsValue(value: KqlValue): boolean {
  return value.kind === 'wildcard' && isLoneWildcard(value.segments);
}

/** `f:v` for one document value. */
export function compileEqualityTest(value: KqlValue): ValueTest {
  if (isNullKeyword(value)) return NEVER;
  if (value.kind === 'wildcard') {
    if (isLoneWildcard(value.segments)) return EXISTS;
    const matches = compileWildcard(value.segments);
    return (candidate) => typeof candidate === 'string' && matches(candidate);
  }
  const text = value.value;
  const number = numberFromLiteral(text);
  const inNetwork = compileCidr(text);
  return (candidate) => {
    switch (typeof candidate) {
      case 'string':
        if (candidate === text) return true;
        return inNetwork !== undefined && inNetwork(candidate);
      case 'number':
        return number !== undefined && candidate === number;
      case 'boolean':
        return text === (candidate ? 'true' : 'false');
      default:
        return false;
    }
  };
}

const ORDER_HOLDS: Readonly<Record<RangeOperator, (order: number) => boolean>> = {
  lt: (order) => order < 0,
  lte: (order) => order <= 0,
  gt: (order) => order > 0,
  gte: (order) => order >= 0,
};

/** `f < v` and friends for one document value: numeric for numbers, code-point order for strings. */
export function compileRangeTest(operator: RangeOperator, value: KqlValue): ValueTest {
  if (isNullKeyword(value)) return NEVER;
  const text = value.kind === 'literal' ? value.value : value.segments.join('*');
  const number = numberFromLiteral(text);
  const holds = ORDER_HOLDS[operator];
  return (candidate) => {
    if (typeof candidate === 'number') return number !== undefined && holds(Math.sign(candidate - number));
    if (typeof candidate === 'string') return holds(compareCodePoints(candidate, text));
    return false;
  };
}

/**
 * Orders strings by Unicode code point (the reference evaluator's and Elasticsearch keyword order). Plain `<`
 * compares UTF-16 units, which misplaces astral characters after U+E000-U+FFFF; shifting units fixes that.
 */
export function compareCodePoints(left: string, right: string): number {
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const a = left.charCodeAt(i);
    const b = right.charCodeAt(i);
    if (a !== b) return codePointRank(a) - codePointRank(b);
  }
  return left.length - right.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

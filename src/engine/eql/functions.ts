/**
 * The EQL functions as Elasticsearch's script processors compute them (x-pack/plugin/eql, `*FunctionProcessor`
 * and `StringUtils`): null in, null out; Python-style negative indexes for `substring`; `between` ported from the
 * Python EQL library; `stringContains` false for an empty needle; `indexOf` null when not found. Where
 * Elasticsearch would fail the whole search at run time (a string where a number is needed, `number("foo")`,
 * division by zero), the result here is null, so one odd event cannot stop detection.
 */
import type { EqlFunctionName } from './ast';
import { compileCidrBlock } from './cidr';
import { numberFromText, scalarText, type EqlValue } from './values';

/** An argument as the function sees it: its value, and whether it is statically a double (for rendering). */
export type FunctionImplementation = (args: readonly EqlValue[], caseInsensitive: boolean, doubles: readonly boolean[]) => EqlValue;

const isString = (value: EqlValue): value is string => typeof value === 'string';
const isNumber = (value: EqlValue): value is number => typeof value === 'number';

function fold(text: string, caseInsensitive: boolean): string {
  return caseInsensitive ? text.toLowerCase() : text;
}

/** Arithmetic with Java semantics: division truncates when both operands are integers; x / 0 is null. */
export function arithmetic(operator: '+' | '-' | '*' | '/' | '%', left: EqlValue, right: EqlValue, integerOperands: boolean): EqlValue {
  if (!isNumber(left) || !isNumber(right)) return null;
  switch (operator) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      if (right === 0) return null;
      return integerOperands ? Math.trunc(left / right) : left / right;
    case '%':
      return right === 0 ? null : left % right;
  }
}

export function between(source: EqlValue, left: EqlValue, right: EqlValue, greedy: EqlValue, caseInsensitive: boolean): EqlValue {
  if (!isString(source) || !isString(left) || !isString(right)) return null;
  if (source === '' || left === '' || right === '') return source;
  const text = fold(source, caseInsensitive);
  const from = text.indexOf(fold(left, caseInsensitive));
  if (from < 0) return '';
  const start = from + left.length;
  const to = greedy === true ? text.lastIndexOf(fold(right, caseInsensitive)) : text.indexOf(fold(right, caseInsensitive), start);
  if (to < 0) return '';
  return source.substring(start, to);
}

export function substring(source: EqlValue, startValue: EqlValue, endValue: EqlValue): EqlValue {
  if (!isString(source)) return null;
  if (source === '') return source;
  const length = source.length;
  let start = isNumber(startValue) ? Math.trunc(startValue) : 0;
  let end = isNumber(endValue) ? Math.trunc(endValue) : length;
  if (start < 0) start += length;
  if (start < 0) start = 0;
  if (end < 0) end += length;
  if (end < 0) end = 0;
  else if (end > length) end = length;
  return start >= end ? '' : source.substring(start, end);
}

export function toNumber(source: EqlValue, base: EqlValue): EqlValue {
  if (source === null) return null;
  if (isNumber(source)) return source;
  if (!isString(source) || (base !== null && !isNumber(base))) return null;
  const hexPrefix = source.startsWith('0x');
  const radix = base === null ? (hexPrefix ? 16 : 10) : Math.trunc(base);
  const digits = hexPrefix && radix === 16 ? source.slice(2) : source;
  if (radix !== 10) return parseInteger(digits, radix);
  return numberFromText(digits) ?? null;
}

/** Java's Integer.parseInt: an optional sign and at least one digit of the radix, nothing else. */
function parseInteger(text: string, radix: number): EqlValue {
  if (radix < 2 || radix > 36) return null;
  const digits = text.replace(/^[+-]/, '');
  if (digits === '' || ![...digits.toLowerCase()].every((c) => Number.parseInt(c, 36) < radix)) return null;
  const value = Number.parseInt(text, radix);
  return Number.isSafeInteger(value) ? value : null;
}

const IMPLEMENTATIONS: Readonly<Record<EqlFunctionName, FunctionImplementation>> = {
  add: ([a, b]) => arithmetic('+', a, b, false),
  subtract: ([a, b]) => arithmetic('-', a, b, false),
  multiply: ([a, b]) => arithmetic('*', a, b, false),
  divide: ([a, b], _, doubles) => arithmetic('/', a, b, isIntegerOperand(a, doubles[0]) && isIntegerOperand(b, doubles[1])),
  modulo: ([a, b], _, doubles) => arithmetic('%', a, b, isIntegerOperand(a, doubles[0]) && isIntegerOperand(b, doubles[1])),
  between: ([source, left, right, greedy = false], caseInsensitive) => between(source, left, right, greedy, caseInsensitive),
  cidrMatch: ([address, ...blocks]) => {
    if (!isString(address)) return null;
    return blocks.some((block) => isString(block) && compileCidrBlock(block)?.(address) === true);
  },
  concat: (args, _, doubles) => {
    let text = '';
    for (let i = 0; i < args.length; i++) {
      const value = args[i];
      if (value === null) return null;
      text += scalarText(value, doubles[i]);
    }
    return text;
  },
  endsWith: ([source, suffix], caseInsensitive) =>
    isString(source) && isString(suffix) ? fold(source, caseInsensitive).endsWith(fold(suffix, caseInsensitive)) : null,
  indexOf: ([source, needle, start = null], caseInsensitive) => {
    if (!isString(source) || !isString(needle) || (start !== null && !isNumber(start))) return null;
    const found = fold(source, caseInsensitive).indexOf(fold(needle, caseInsensitive), start === null ? 0 : Math.max(0, Math.trunc(start)));
    return found < 0 ? null : found;
  },
  length: ([source]) => (isString(source) ? source.length : null),
  number: ([source, base = null]) => toNumber(source, base),
  startsWith: ([source, prefix], caseInsensitive) =>
    isString(source) && isString(prefix) ? fold(source, caseInsensitive).startsWith(fold(prefix, caseInsensitive)) : null,
  string: ([value], _, doubles) => (value === null ? null : scalarText(value, doubles[0])),
  stringContains: ([source, needle], caseInsensitive) => {
    if (!isString(source) || !isString(needle)) return null;
    if (source === '' || needle === '') return false;
    return fold(source, caseInsensitive).includes(fold(needle, caseInsensitive));
  },
  substring: ([source, start, end = null]) => substring(source, start, end),
};

/** An operand counts as an integer unless it is statically a double or its value has a fraction. */
export function isIntegerOperand(value: EqlValue, double: boolean): boolean {
  return !double && typeof value === 'number' && Number.isInteger(value);
}

export function functionImplementation(name: EqlFunctionName): FunctionImplementation {
  return IMPLEMENTATIONS[name];
}

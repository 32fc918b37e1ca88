/**
 * Values as EQL sees them in a JSON document without an index mapping. A field's values are its non-null scalars
 * (arrays at any depth contribute every element; objects have no value of their own, as in Elasticsearch, where
 * they have no doc values). Comparisons follow Elasticsearch on keyword/long/boolean fields:
 * - equality is type-aware but lenient across JSON types, as a term query is once Elasticsearch has converted the
 *   constant to the field's type: the string "1234" and the number 1234 are equal, `true` equals "true";
 * - ordering is numeric between numbers and by code point between strings (keyword order); anything else is
 *   not ordered (null);
 * - case-insensitive forms lower-case both sides (Unicode simple folding, close to Lucene's).
 */
import { compareCodePoints } from '../kql/value-matchers';

export type Scalar = string | number | boolean;
export type EqlValue = Scalar | null;

export function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean';
}

const NUMBER_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a string spells (decimal notation), or undefined. */
export function numberFromText(text: string): number | undefined {
  if (!NUMBER_TEXT.test(text)) return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

/** How a number reads as text: integers plainly, other numbers as JavaScript writes them. */
export function numberText(value: number, double = false): string {
  if (double && Number.isInteger(value) && Math.abs(value) < 1e7) return `${value}.0`;
  return String(value);
}

/** The text of a scalar, as `string()` renders it. */
export function scalarText(value: Scalar, double = false): string {
  return typeof value === 'number' ? numberText(value, double) : String(value);
}

/**
 * A term query: does the document value `value` equal the query's constant? The value's type decides, as the
 * field's mapping does in Elasticsearch: a string field compares text (a number constant as its text, so "1234.0"
 * is not 1234), a number field compares numbers (a string constant must spell one), a boolean field compares
 * `true`/`false` (the constant "true" included).
 */
export function termEquals(value: Scalar, constant: Scalar): boolean {
  if (typeof value === typeof constant) return value === constant;
  if (typeof value === 'string') return value === (typeof constant === 'number' ? numberText(constant) : String(constant));
  if (typeof value === 'number') return typeof constant === 'string' && numberFromText(constant) === value;
  return typeof constant === 'string' && String(value) === constant;
}

/** A case-insensitive term query (`:` without wildcards, `in~`). */
export function termEqualsIgnoreCase(value: Scalar, constant: Scalar): boolean {
  if (typeof value === 'string' && typeof constant === 'string') return value === constant || value.toLowerCase() === constant.toLowerCase();
  if (typeof value === 'boolean' && typeof constant === 'string') return String(value) === constant.toLowerCase();
  return termEquals(value, constant);
}

/** Equality of two non-null scalars in a script, where neither side is a field's declared type. */
export function looseEquals(a: Scalar, b: Scalar): boolean {
  if (typeof a === typeof b) return a === b;
  if (typeof a === 'number') return typeof b === 'string' ? numberFromText(b) === a : false;
  if (typeof b === 'number') return typeof a === 'string' ? numberFromText(a) === b : false;
  // boolean against string
  return String(a) === String(b);
}

export function looseEqualsIgnoreCase(a: Scalar, b: Scalar): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b || a.toLowerCase() === b.toLowerCase();
  if (typeof a === 'boolean' || typeof b === 'boolean') return looseEquals(a, b) || String(a).toLowerCase() === String(b).toLowerCase();
  return looseEquals(a, b);
}

/**
 * Ordering of a value `a` against `b`: negative, zero or positive, or undefined when they are not comparable.
 * The type of `a` decides, as the field's type does in Elasticsearch: a string is a keyword, so a number is
 * compared as its text (`"10" < 9`); a number against a numeric string compares numbers.
 */
export function compareScalars(a: Scalar, b: Scalar): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'number') return compareCodePoints(a, numberText(b));
  if (typeof a === 'number' && typeof b === 'string') {
    const number = numberFromText(b);
    return number === undefined ? undefined : Math.sign(a - number);
  }
  return undefined;
}

/**
 * Elasticsearch's `version` field order: dotted numeric releases compared part by part, a pre-release
 * (`1.2.4-SNAPSHOT`) before its release, build metadata ignored; text that is not a version sorts after every
 * version, by code point.
 */
export function compareVersions(a: string, b: string): number {
  const left = parseVersion(a);
  const right = parseVersion(b);
  if (!left || !right) {
    if (left) return -1;
    if (right) return 1;
    return compareCodePoints(a, b);
  }
  const parts = Math.max(left.release.length, right.release.length);
  for (let i = 0; i < parts; i++) {
    const difference = (left.release[i] ?? 0) - (right.release[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  const leftIsPreRelease = left.preRelease.length > 0;
  const rightIsPreRelease = right.preRelease.length > 0;
  if (!leftIsPreRelease || !rightIsPreRelease) return leftIsPreRelease === rightIsPreRelease ? 0 : leftIsPreRelease ? -1 : 1;
  for (let i = 0; i < Math.min(left.preRelease.length, right.preRelease.length); i++) {
    const order = comparePreRelease(left.preRelease[i], right.preRelease[i]);
    if (order !== 0) return order;
  }
  return Math.sign(left.preRelease.length - right.preRelease.length);
}

const VERSION = /^(\d+(?:\.\d+)*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

function parseVersion(text: string): { release: number[]; preRelease: string[] } | undefined {
  const match = VERSION.exec(text);
  if (!match) return undefined;
  return { release: match[1].split('.').map(Number), preRelease: match[2] ? match[2].split('.') : [] };
}

function comparePreRelease(a: string, b: string): number {
  const numericA = /^\d+$/.test(a);
  const numericB = /^\d+$/.test(b);
  if (numericA && numericB) return Math.sign(Number(a) - Number(b));
  if (numericA !== numericB) return numericA ? -1 : 1;
  return compareCodePoints(a, b);
}

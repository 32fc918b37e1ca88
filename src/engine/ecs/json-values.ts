/** A parsed JSON object. Records come from JSON.parse, so nothing here is a class instance. */
export type JsonObject = { [key: string]: unknown };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads `object[key]` when `object` is a JSON object; anything else yields undefined. */
export function member(object: unknown, key: string): unknown {
  return isJsonObject(object) ? object[key] : undefined;
}

/** Reads a nested member through a chain of keys, tolerating any wrong type on the way. */
export function path(object: unknown, ...keys: string[]): unknown {
  let current = object;
  for (const key of keys) {
    if (!isJsonObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * The keyword form of a scalar: Elasticsearch indexes numbers and booleans sent to keyword fields as
 * their text, and the detection rules compare text, so scalars are normalised to strings. Objects and
 * arrays have no keyword form (Elasticsearch would reject the document), so they yield undefined.
 */
export function asKeyword(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? formatJavaNumber(value) : undefined;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return undefined;
}

const LONG_LIMIT = 2 ** 63;

/**
 * Java's rendering of a JSON number as Jackson would have parsed it: integral values are Integer/Long
 * (plain digits), the rest are Double (Double.toString, with an exponent outside [1e-3, 1e7)).
 * JSON.parse has already erased the difference between `3` and `3.0`, so integral doubles print as integers.
 */
export function formatJavaNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < LONG_LIMIT) {
    return Object.is(value, -0) ? '0' : BigInt(value).toString();
  }
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) return String(value);
  const [mantissa, exponent] = value.toExponential().split('e');
  const javaMantissa = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return `${javaMantissa}E${exponent.startsWith('+') ? exponent.slice(1) : exponent}`;
}

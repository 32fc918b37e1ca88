import { formatJavaNumber, isJsonObject } from './json-values';
import { javaHashMapOrder } from './java-hash-map';
import { originalKeysOf } from './null-removal';

/**
 * Renders a parsed JSON value the way Java's `toString()` renders what Elasticsearch's JSON parser
 * builds from it (HashMap, ArrayList, String, Integer/Long/Double, Boolean): `{k=v, k2=[a, b]}`,
 * no quoting or escaping, map keys in HashMap iteration order.
 * Input is the output of the null-removal pass, whose depth is already bounded.
 */
export function toJavaString(value: unknown): string {
  const parts: string[] = [];
  appendJavaString(value, parts);
  return parts.join('');
}

function appendJavaString(value: unknown, parts: string[]): void {
  if (typeof value === 'string') {
    parts.push(value);
  } else if (typeof value === 'number') {
    parts.push(formatJavaNumber(value));
  } else if (typeof value === 'boolean') {
    parts.push(value ? 'true' : 'false');
  } else if (value === null || value === undefined) {
    parts.push('null');
  } else if (Array.isArray(value)) {
    parts.push('[');
    value.forEach((element, index) => {
      if (index > 0) parts.push(', ');
      appendJavaString(element, parts);
    });
    parts.push(']');
  } else if (isJsonObject(value)) {
    parts.push('{');
    const keys = javaHashMapOrder(Object.keys(value), originalKeysOf(value));
    keys.forEach((key, index) => {
      if (index > 0) parts.push(', ');
      parts.push(key, '=');
      appendJavaString(value[key], parts);
    });
    parts.push('}');
  } else {
    parts.push(String(value));
  }
}

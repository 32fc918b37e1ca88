import { compileFieldPath, someValueAt, type FieldPath } from '../kql/document-access';

/**
 * At most this many term combinations (new_terms) or groups (threshold) per event and rule. Each one is a state
 * read and write; an event whose fields multiply past this (three fields of many values each) is evaluated for the
 * first combinations in field and value order, and the cut is reported (`truncated`).
 */
export const MAX_COMBINATIONS_PER_EVENT = 100;

const pathCache = new Map<string, FieldPath>();

function pathOf(field: string): FieldPath {
  let path = pathCache.get(field);
  if (path === undefined) {
    path = compileFieldPath(field);
    pathCache.set(field, path);
  }
  return path;
}

/**
 * The distinct non-null values of a field in an ECS document, as Elasticsearch would aggregate them: arrays give
 * each element, dotted keys and nested objects are the same field, numbers and booleans become their text. Objects
 * are not values. In the order they appear.
 */
export function distinctValues(document: unknown, field: string): string[] {
  const seen = new Set<string>();
  const values: string[] = [];
  // someValueAt walks depth-first from the end; collect, then restore document order.
  someValueAt(document, pathOf(field), (value) => {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') values.push(String(value));
    return false;
  });
  values.reverse();
  return values.filter((value) => !seen.has(value) && (seen.add(value), true));
}

export interface Combinations {
  /** Each combination lists one value per field, in field order. Empty when some field has no value. */
  readonly combinations: string[][];
  /** How many combinations were left out beyond MAX_COMBINATIONS_PER_EVENT. */
  readonly truncated: number;
}

/**
 * The cartesian product of the distinct values of `fields` (no fields: one empty combination, i.e. one group for
 * all events). A field without a value leaves no combination at all.
 */
export function valueCombinations(document: unknown, fields: readonly string[], limit = MAX_COMBINATIONS_PER_EVENT): Combinations {
  const perField = fields.map((field) => distinctValues(document, field));
  const total = perField.reduce((product, values) => product * values.length, 1);
  const combinations: string[][] = [];
  const indexes = perField.map(() => 0);
  for (let n = 0; n < Math.min(total, limit); n++) {
    combinations.push(perField.map((values, i) => values[indexes[i] as number] as string));
    for (let i = indexes.length - 1; i >= 0; i--) {
      indexes[i] = (indexes[i] as number) + 1;
      if ((indexes[i] as number) < (perField[i] as string[]).length) break;
      indexes[i] = 0;
    }
  }
  return { combinations, truncated: Math.max(0, total - limit) };
}

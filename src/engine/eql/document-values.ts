/**
 * Reading field values out of ECS documents, with the walker the KQL evaluator uses: dotted names walk nested
 * objects or match literal dotted keys (`{"a.b": 1}` is `a.b`), and arrays at any level contribute every element.
 * EQL only sees scalars: an object has no value of its own.
 */
import { compileFieldPath, type FieldPath, someValueAt } from '../kql/document-access';
import { EXISTS } from '../kql/value-matchers';
import { isScalar, type Scalar } from './values';

export type { FieldPath };

const paths = new Map<string, FieldPath>();

/** The compiled path of a field name (cached: queries share field names). */
export function fieldPath(name: string): FieldPath {
  let path = paths.get(name);
  if (path === undefined) {
    path = compileFieldPath(name);
    if (paths.size < 10_000) paths.set(name, path);
  }
  return path;
}

/** True when some scalar value of the field passes `test`: the any-element semantics of a term query. */
export function someScalar(document: unknown, path: FieldPath, test: (value: Scalar) => boolean): boolean {
  return someValueAt(document, path, (value) => isScalar(value) && test(value));
}

/** Appends the field's scalar values to `out` (cleared first) and returns it. */
export function collectScalars(document: unknown, path: FieldPath, out: Scalar[]): Scalar[] {
  out.length = 0;
  someValueAt(document, path, (value) => {
    if (isScalar(value)) out.push(value);
    return false;
  });
  return out;
}

/** Elasticsearch's `exists`: a value, or an object holding one. */
export function fieldExists(document: unknown, path: FieldPath): boolean {
  return someValueAt(document, path, EXISTS);
}

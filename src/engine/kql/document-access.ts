/**
 * Reading field values out of JSON documents the way Elasticsearch indexes them: dotted names walk nested objects,
 * arrays at any level contribute every element (arrays of objects are flattened), and a literal dotted key such as
 * `{"a.b": 1}` is the same field as `{"a": {"b": 1}}`.
 *
 * Every walk uses an explicit stack, so arbitrarily deep documents cannot overflow the call stack, and stops at the
 * first value that passes the test.
 */

export type ValueTest = (value: unknown) => boolean;

interface PathStep {
  /** Key to look up in the current object: one name segment or several joined with dots. */
  readonly key: string;
  /** Index of the next segment once that key is consumed. */
  readonly next: number;
}

export interface FieldPath {
  readonly name: string;
  /** `steps[i]` lists the keys that can consume segments from `i` on. */
  readonly steps: ReadonlyArray<readonly PathStep[]>;
  readonly length: number;
}

export function compileFieldPath(name: string): FieldPath {
  const segments = name.split('.');
  const steps = segments.map((_, start) =>
    segments.slice(start).map((__, offset) => ({
      key: segments.slice(start, start + offset + 1).join('.'),
      next: start + offset + 1,
    })),
  );
  return { name, steps, length: segments.length };
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/**
 * True when some value of the field passes `test`. `test` sees each non-null value once arrays are unrolled:
 * scalars, and objects when the path ends on one. Missing fields and nulls contribute nothing.
 */
export function someValueAt(root: unknown, path: FieldPath, test: ValueTest): boolean {
  const nodes: unknown[] = [root];
  const positions: number[] = [0];
  while (nodes.length > 0) {
    const node = nodes.pop();
    const position = positions.pop() as number;
    if (node === null || node === undefined) continue;
    if (Array.isArray(node)) {
      for (const element of node) {
        nodes.push(element);
        positions.push(position);
      }
      continue;
    }
    if (position === path.length) {
      if (test(node)) return true;
      continue;
    }
    if (!isJsonObject(node)) continue;
    for (const step of path.steps[position]) {
      if (hasOwn(node, step.key)) {
        nodes.push(node[step.key]);
        positions.push(step.next);
      }
    }
  }
  return false;
}

/** True when some scalar anywhere in `root` (null excluded) passes `test`: the free-text search space. */
export function someLeaf(root: unknown, test: ValueTest): boolean {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const node = pending.pop();
    if (node === null || node === undefined) continue;
    if (Array.isArray(node)) {
      for (const element of node) pending.push(element);
    } else if (isJsonObject(node)) {
      for (const key of Object.keys(node)) pending.push(node[key]);
    } else if (test(node)) {
      return true;
    }
  }
  return false;
}

/**
 * Like `someValueAt`, for a field-name pattern: visits every field of the document by its full dotted name
 * (Kibana expands `machine*` against the data view's fields). Objects are offered only when `includeObjects`
 * (nested queries); otherwise only scalar leaves count, as data view fields are leaves.
 */
export function someMatchingField(
  root: unknown,
  nameMatches: (name: string) => boolean,
  test: ValueTest,
  includeObjects: boolean,
): boolean {
  const nodes: unknown[] = [root];
  const names: string[] = [''];
  while (nodes.length > 0) {
    const node = nodes.pop();
    const name = names.pop() as string;
    if (node === null || node === undefined) continue;
    if (Array.isArray(node)) {
      for (const element of node) {
        nodes.push(element);
        names.push(name);
      }
      continue;
    }
    if (isJsonObject(node)) {
      if (includeObjects && name !== '' && nameMatches(name) && test(node)) return true;
      for (const key of Object.keys(node)) {
        nodes.push(node[key]);
        names.push(name === '' ? key : `${name}.${key}`);
      }
      continue;
    }
    if (!includeObjects && name !== '' && nameMatches(name) && test(node)) return true;
  }
  return false;
}

/** Whether an object holds any non-null scalar: Elasticsearch's `exists` on an object field. */
export function containsValue(value: unknown): boolean {
  return someLeaf(value, () => true);
}

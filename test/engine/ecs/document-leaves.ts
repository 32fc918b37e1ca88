/** Leaf fields of a nested document as `dotted.path` → value. Scalar arrays are one leaf; object arrays are indexed. */
export function documentLeaves(document: unknown, prefix = '', leaves = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(document)) {
    if (document.some((element) => typeof element === 'object' && element !== null)) {
      document.forEach((element, index) => documentLeaves(element, `${prefix}[${index}]`, leaves));
    } else {
      leaves.set(prefix, document);
    }
  } else if (typeof document === 'object' && document !== null) {
    for (const [key, value] of Object.entries(document)) {
      documentLeaves(value, prefix === '' ? key : `${prefix}.${key}`, leaves);
    }
  } else {
    leaves.set(prefix, document);
  }
  return leaves;
}

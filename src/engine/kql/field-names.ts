import type { KqlField } from './ast';

/** The field name as written: a dotted path, or a pattern with `*` for wildcard field names. */
export function fieldName(field: KqlField): string {
  return field.kind === 'literal' ? field.value : field.segments.join('*');
}

/** Inner field names of `path:{ ... }` are relative to the path. */
export function qualifiedName(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

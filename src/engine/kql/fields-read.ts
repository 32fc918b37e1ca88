import type { KqlNode } from './ast';

/**
 * The document fields a KQL query can read, as dotted paths: the query's answer depends on nothing else (the value at
 * each path, objects included). `'all'` when that cannot be listed: free text, field-name patterns and nested
 * queries read whatever the document holds.
 */
export function kqlFieldsRead(query: KqlNode): readonly string[] | 'all' {
  const fields = new Set<string>();
  const visit = (node: KqlNode): boolean => {
    switch (node.type) {
      case 'matchAll':
        return true;
      case 'and':
      case 'or':
        return node.children.every(visit);
      case 'not':
        return visit(node.child);
      case 'is':
      case 'range':
        if (node.field === null || node.field.kind !== 'literal') return false;
        fields.add(node.field.value);
        return true;
      case 'nested':
        return false;
    }
  };
  return visit(query) ? [...fields] : 'all';
}

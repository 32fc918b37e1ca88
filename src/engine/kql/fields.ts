import type { KqlNode } from './ast';
import { fieldName, qualifiedName } from './field-names';

/**
 * Distinct field names a query reads, in order of first use, with nested names made absolute
 * (`a:{ b:1 }` reads `a.b`). Wildcard field names are returned as patterns (`machine*`); free text reads no
 * named field.
 */
export function fieldsOf(ast: KqlNode): string[] {
  const names = new Set<string>();
  const pending: Array<{ node: KqlNode; prefix: string }> = [{ node: ast, prefix: '' }];
  while (pending.length > 0) {
    const { node, prefix } = pending.pop() as { node: KqlNode; prefix: string };
    switch (node.type) {
      case 'and':
      case 'or':
        for (let i = node.children.length - 1; i >= 0; i--) pending.push({ node: node.children[i], prefix });
        break;
      case 'not':
        pending.push({ node: node.child, prefix });
        break;
      case 'is':
        if (node.field !== null) names.add(qualifiedName(prefix, fieldName(node.field)));
        break;
      case 'range':
        names.add(qualifiedName(prefix, fieldName(node.field)));
        break;
      case 'nested':
        pending.push({ node: node.child, prefix: qualifiedName(prefix, fieldName(node.path)) });
        break;
      case 'matchAll':
        break;
    }
  }
  return [...names];
}

/**
 * Renders a KQL tree in the S-expression notation of the shared conformance data (`kibana.ast`), e.g.
 * `and(is("a", Q"b"), not(is(null, W"c*")))`, so our trees can be compared with Kibana's.
 */
import type { KqlNode, KqlValue } from '../../../../src/engine/kql';

function renderValue(value: KqlValue | null): string {
  if (value === null) return 'null';
  if (value.kind === 'wildcard') return `W${JSON.stringify(value.segments.join('*'))}`;
  if (value.quoted) return `Q${JSON.stringify(value.value)}`;
  if (value.value === 'true' || value.value === 'false' || value.value === 'null') return value.value;
  return JSON.stringify(value.value);
}

export function renderAst(node: KqlNode): string {
  switch (node.type) {
    case 'matchAll':
      return 'is(*, *)';
    case 'and':
    case 'or':
      return `${node.type}(${node.children.map(renderAst).join(', ')})`;
    case 'not':
      return `not(${renderAst(node.child)})`;
    case 'is':
      return `is(${renderValue(node.field)}, ${renderValue(node.value)})`;
    case 'range':
      return `range(${renderValue(node.field)}, ${node.operator}, ${renderValue(node.value)})`;
    case 'nested':
      return `nested(${renderValue(node.path)}, ${renderAst(node.child)})`;
  }
}

/**
 * Compiles a KQL tree into a predicate over JSON documents, with Elasticsearch semantics for keyword-like fields
 * (see docs/kql.md). All per-query work (path splitting, wildcard and CIDR preparation) happens once here; the
 * predicate itself only walks the document and never throws, whatever JSON value it is given.
 */
import type { KqlField, KqlNode } from './ast';
import {
  compileFieldPath,
  isJsonObject,
  someLeaf,
  someMatchingField,
  someValueAt,
  type ValueTest,
} from './document-access';
import { fieldName } from './field-names';
import { compileEqualityTest, compileRangeTest, isExistsValue } from './value-matchers';
import { compileWildcard, isLoneWildcard } from './wildcard';

export type KqlPredicate = (document: unknown) => boolean;

/** A compiled query evaluated against a scope: the document, or one object inside it for nested queries. */
type ScopedPredicate = (scope: unknown) => boolean;

export function compileKql(ast: KqlNode): KqlPredicate {
  const predicate = compileNode(ast);
  return (document) => predicate(document);
}

const compiledTrees = new WeakMap<KqlNode, KqlPredicate>();

/** One-off evaluation; the compiled form is kept per tree, so reusing a tree stays cheap. */
export function evaluateKql(ast: KqlNode, document: unknown): boolean {
  let predicate = compiledTrees.get(ast);
  if (predicate === undefined) {
    predicate = compileKql(ast);
    compiledTrees.set(ast, predicate);
  }
  return predicate(document);
}

function compileNode(node: KqlNode): ScopedPredicate {
  switch (node.type) {
    case 'matchAll':
      return () => true;
    case 'and': {
      const children = node.children.map(compileNode);
      return (scope) => children.every((child) => child(scope));
    }
    case 'or': {
      const children = node.children.map(compileNode);
      return (scope) => children.some((child) => child(scope));
    }
    case 'not': {
      const child = compileNode(node.child);
      return (scope) => !child(scope);
    }
    case 'is':
      if (isMatchAll(node.field, node)) return () => true;
      return compileFieldTest(node.field, compileEqualityTest(node.value), false);
    case 'range':
      return compileFieldTest(node.field, compileRangeTest(node.operator, node.value), false);
    case 'nested': {
      const child = compileNode(node.child);
      return compileFieldTest(node.path, (value) => isJsonObject(value) && child(value), true);
    }
    default:
      throw new TypeError(`unknown KQL node type: ${JSON.stringify((node as { type?: unknown }).type)}`);
  }
}

/** `*:*` is Kibana's match_all. */
function isMatchAll(field: KqlField | null, node: Extract<KqlNode, { type: 'is' }>): boolean {
  return field !== null && field.kind === 'wildcard' && isLoneWildcard(field.segments) && isExistsValue(node.value);
}

/** Applies `test` to the values of a field, of a field-name pattern, or (free text, no field) of every leaf. */
function compileFieldTest(field: KqlField | null, test: ValueTest, includeObjects: boolean): ScopedPredicate {
  if (field === null) return (scope) => someLeaf(scope, test);
  if (field.kind === 'wildcard') {
    const nameMatches = compileWildcard(field.segments);
    return (scope) => someMatchingField(scope, nameMatches, test, includeObjects);
  }
  const path = compileFieldPath(fieldName(field));
  return (scope) => someValueAt(scope, path, test);
}

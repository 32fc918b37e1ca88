import type { KqlNode } from '../kql/ast';
import { compileCidr } from '../kql/cidr';

/**
 * What a query demands of one keyword field: a match is only possible when the field's value is one of `exact`,
 * starts with one of `prefixes` or contains one of `contains` (present only when non-empty). `'any'` means nothing
 * could be proven, so every value must be tried.
 */
export type RequiredValues =
  | { readonly exact: readonly string[]; readonly prefixes: readonly string[]; readonly contains?: readonly string[] }
  | 'any';

type Demand = Exclude<RequiredValues, 'any'>;

/**
 * The values of `field` (a single-valued string field of the document, such as `event.action`) without which
 * `query` cannot match. Sound by construction, not complete: every case that is hard to reason about (not, ranges,
 * nested queries, field-name patterns, free text, CIDR blocks, a lone `*`) gives up with `'any'`.
 */
export function requiredValues(query: KqlNode, field: string): RequiredValues {
  switch (query.type) {
    case 'is':
      return requiredByComparison(query, field);
    case 'or':
      // A match satisfies some branch, so the value is in the union, unless one branch allows anything.
      return union(query.children.map((child) => requiredValues(child, field)));
    case 'and':
      // A match satisfies every branch, so any one branch's demand is a valid demand: keep the narrowest.
      return narrowest(query.children.map((child) => requiredValues(child, field)));
    default:
      // `not x` can match whatever x rejects; ranges, nested scopes and match-all are not worth proving things about.
      return 'any';
  }
}

function requiredByComparison(node: Extract<KqlNode, { type: 'is' }>, field: string): RequiredValues {
  if (node.field === null || node.field.kind !== 'literal' || node.field.value !== field) return 'any';
  const value = node.value;
  if (value.kind === 'wildcard') {
    // `Delete*Policy` only matches strings starting with `Delete`; `*S3 Browser*` only strings containing
    // `S3 Browser` (the longest literal part is the rarest); the exists check `*` proves nothing.
    const prefix = value.segments[0];
    if (prefix !== '') return { exact: [], prefixes: [prefix] };
    const longest = value.segments.reduce((best, segment) => (segment.length > best.length ? segment : best), '');
    return longest === '' ? 'any' : { exact: [], prefixes: [], contains: [longest] };
  }
  // A CIDR literal also matches IP-address strings inside the block, not just its own text.
  if (compileCidr(value.value) !== undefined) return 'any';
  // Equality on a string value is exact text comparison (an unquoted `null` never matches: this is a superset).
  return { exact: [value.value], prefixes: [] };
}

function union(demands: readonly RequiredValues[]): RequiredValues {
  if (demands.some((demand) => demand === 'any')) return 'any';
  const known = demands as Demand[];
  const contains = [...new Set(known.flatMap((demand) => demand.contains ?? []))];
  return {
    exact: [...new Set(known.flatMap((demand) => demand.exact))],
    prefixes: [...new Set(known.flatMap((demand) => demand.prefixes))],
    ...(contains.length > 0 ? { contains } : {}),
  };
}

function narrowest(demands: readonly RequiredValues[]): RequiredValues {
  let best: RequiredValues = 'any';
  for (const demand of demands) {
    if (demand === 'any') continue;
    if (best === 'any' || breadth(demand) < breadth(best)) best = demand;
  }
  return best;
}

/**
 * A rough measure of how many values a demand lets through: a prefix admits far more than one exact value, a
 * substring more than a prefix.
 */
export function breadth(demand: RequiredValues): number {
  if (demand === 'any') return Infinity;
  return demand.exact.length + 1000 * demand.prefixes.length + 1_000_000 * (demand.contains?.length ?? 0);
}

/** Whether `value` (undefined: the field is absent) satisfies the demand. */
export function admits(demand: RequiredValues, value: string | undefined): boolean {
  if (demand === 'any') return true;
  if (value === undefined) return false;
  return (
    demand.exact.includes(value) ||
    demand.prefixes.some((prefix) => value.startsWith(prefix)) ||
    (demand.contains ?? []).some((part) => value.includes(part))
  );
}

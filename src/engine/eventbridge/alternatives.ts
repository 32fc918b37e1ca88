import { type FieldMatcher, intersectConditions, matcherKey, uniqueMatchers } from './field-condition';

/**
 * A conjunction of field conditions: CloudTrail field path (dot-joined, relative to `detail`) → matchers.
 * The empty conjunction accepts every event.
 */
export type Conjunction = ReadonlyMap<string, readonly FieldMatcher[]>;

/**
 * A query condition in disjunctive normal form, as EventBridge can express it (one pattern, or a `$or` of them).
 * No conjunctions: accepts nothing. `exact` is false once anything was widened or dropped.
 */
export interface Alternatives {
  readonly conjunctions: readonly Conjunction[];
  readonly exact: boolean;
}

/** Beyond this many conjunctions a `$or` gets unwieldy (and EventBridge limits pattern complexity). */
export const MAX_CONJUNCTIONS = 16;

export const ACCEPT_ALL: Alternatives = { conjunctions: [new Map()], exact: true };
export const ACCEPT_NONE: Alternatives = { conjunctions: [], exact: true };

export function single(path: string, matchers: readonly FieldMatcher[]): Alternatives {
  return { conjunctions: [new Map([[path, matchers]])], exact: true };
}

/** Something the pattern cannot express: accept everything, and say so. */
export function widened(): Alternatives {
  return { conjunctions: [new Map()], exact: false };
}

export function anyOf(parts: readonly Alternatives[]): Alternatives {
  const conjunctions = parts.flatMap((part) => part.conjunctions);
  return simplify({ conjunctions, exact: parts.every((part) => part.exact) });
}

export function allOf(parts: readonly Alternatives[]): Alternatives {
  return parts.reduce(intersect, ACCEPT_ALL);
}

function intersect(left: Alternatives, right: Alternatives): Alternatives {
  let [a, b] = [left, right];
  if (a.conjunctions.length * b.conjunctions.length > MAX_CONJUNCTIONS) [a, b] = [hull(a), hull(b)];
  const conjunctions: Conjunction[] = [];
  let exact = a.exact && b.exact;
  for (const x of a.conjunctions) {
    for (const y of b.conjunctions) {
      const merged = intersectConjunctions(x, y);
      exact &&= merged.exact;
      if (merged.conjunction) conjunctions.push(merged.conjunction);
    }
  }
  return simplify({ conjunctions, exact });
}

function intersectConjunctions(x: Conjunction, y: Conjunction): { conjunction?: Conjunction; exact: boolean } {
  const result = new Map(x);
  let exact = true;
  for (const [path, matchers] of y) {
    const existing = result.get(path);
    if (!existing) {
      result.set(path, matchers);
      continue;
    }
    const both = intersectConditions(existing, matchers);
    exact &&= both.exact;
    if (both.matchers.length === 0) return { exact };
    result.set(path, both.matchers);
  }
  return { conjunction: result, exact };
}

/**
 * One conjunction accepting everything any of them accepts: the fields every conjunction constrains, each with
 * the union of its matchers. Exact only when there was a single conjunction to begin with.
 */
export function hull(alternatives: Alternatives): Alternatives {
  const { conjunctions } = alternatives;
  if (conjunctions.length <= 1) return alternatives;
  const result = new Map<string, readonly FieldMatcher[]>();
  for (const [path] of conjunctions[0]) {
    if (conjunctions.every((conjunction) => conjunction.has(path))) {
      result.set(path, uniqueMatchers(conjunctions.flatMap((conjunction) => [...(conjunction.get(path) ?? [])])));
    }
  }
  return { conjunctions: [result], exact: false };
}

/**
 * Removes duplicates and conjunctions implied by another (a conjunction with fewer, looser conditions), and
 * merges pairs that differ in one field only (`a=1 ∧ b=2` ∨ `a=1 ∧ b=3` → `a=1 ∧ b∈{2,3}`). All exact.
 */
function simplify(alternatives: Alternatives): Alternatives {
  let conjunctions = [...alternatives.conjunctions];
  let changed = true;
  while (changed) {
    changed = false;
    conjunctions = conjunctions.filter(
      (candidate, i) => !conjunctions.some((other, j) => j !== i && implies(candidate, other) && (!implies(other, candidate) || j < i)),
    );
    outer: for (let i = 0; i < conjunctions.length; i++) {
      for (let j = i + 1; j < conjunctions.length; j++) {
        const merged = mergeOneField(conjunctions[i], conjunctions[j]);
        if (merged) {
          conjunctions.splice(j, 1);
          conjunctions[i] = merged;
          changed = true;
          break outer;
        }
      }
    }
  }
  return { conjunctions, exact: alternatives.exact };
}

/** True when every event `narrow` accepts is accepted by `broad`, judged structurally. */
function implies(narrow: Conjunction, broad: Conjunction): boolean {
  for (const [path, broadMatchers] of broad) {
    const narrowMatchers = narrow.get(path);
    if (!narrowMatchers) return false;
    const accepted = new Set(broadMatchers.map(matcherKey));
    if (!narrowMatchers.every((matcher) => accepted.has(matcherKey(matcher)))) return false;
  }
  return true;
}

function mergeOneField(x: Conjunction, y: Conjunction): Conjunction | undefined {
  if (x.size !== y.size) return undefined;
  let differing: string | undefined;
  for (const [path, matchers] of x) {
    const other = y.get(path);
    if (!other) return undefined;
    if (sameMatchers(matchers, other)) continue;
    if (differing !== undefined) return undefined;
    differing = path;
  }
  if (differing === undefined) return x;
  const merged = new Map(x);
  merged.set(differing, uniqueMatchers([...(x.get(differing) ?? []), ...(y.get(differing) ?? [])]));
  return merged;
}

function sameMatchers(a: readonly FieldMatcher[], b: readonly FieldMatcher[]): boolean {
  const keys = (list: readonly FieldMatcher[]) => list.map(matcherKey).sort().join('\n');
  return keys(a) === keys(b);
}

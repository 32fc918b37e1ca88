import type { EventPatternMatcher } from './event-pattern';

/**
 * One EventBridge matcher for a single CloudTrail field. A field's condition is a list of these, any of which
 * may match (EventBridge's own semantics for a matcher list).
 */
export type FieldMatcher =
  | { readonly kind: 'equals'; readonly value: string }
  | { readonly kind: 'prefix'; readonly value: string }
  | { readonly kind: 'suffix'; readonly value: string }
  /** `value` is already in EventBridge wildcard syntax: `*` is the wildcard, `\*` and `\\` are literal. */
  | { readonly kind: 'wildcard'; readonly value: string }
  | { readonly kind: 'exists'; readonly value: boolean }
  | { readonly kind: 'anythingBut'; readonly values: readonly string[] }
  /** The JSON value null (present, but erased by the normalizer's null removal). */
  | { readonly kind: 'null' }
  /** `equals-ignore-case`, `prefix: {equals-ignore-case}`, `suffix: {equals-ignore-case}`: ASCII values only. */
  | { readonly kind: 'equalsIgnoreCase' | 'prefixIgnoreCase' | 'suffixIgnoreCase'; readonly value: string };

export interface IntersectionResult {
  /** Empty when no value can satisfy both conditions. */
  readonly matchers: FieldMatcher[];
  /** False when the result lets through more than the exact intersection. */
  readonly exact: boolean;
}

/** Whether a present string value satisfies the matcher (the fields compiled here are string-typed). */
export function matcherAccepts(matcher: FieldMatcher, value: string): boolean {
  switch (matcher.kind) {
    case 'equals':
      return value === matcher.value;
    case 'prefix':
      return value.startsWith(matcher.value);
    case 'suffix':
      return value.endsWith(matcher.value);
    case 'wildcard':
      return wildcardRegExp(matcher.value).test(value);
    case 'exists':
      return matcher.value;
    case 'anythingBut':
      return !matcher.values.includes(value);
    case 'null':
      return false;
    case 'equalsIgnoreCase':
      return value.toLowerCase() === matcher.value.toLowerCase();
    case 'prefixIgnoreCase':
      return value.toLowerCase().startsWith(matcher.value.toLowerCase());
    case 'suffixIgnoreCase':
      return value.toLowerCase().endsWith(matcher.value.toLowerCase());
  }
}

/**
 * The matchers accepting exactly the values both conditions accept, when that is expressible; otherwise the
 * left-hand matcher is kept (a sound over-approximation) and `exact` is false.
 * Both conditions apply to the same scalar field: (a1 ∨ a2) ∧ (b1 ∨ b2) is the union of the pairwise ai ∧ bj.
 */
export function intersectConditions(left: readonly FieldMatcher[], right: readonly FieldMatcher[]): IntersectionResult {
  const matchers: FieldMatcher[] = [];
  let exact = true;
  for (const a of left) {
    for (const b of right) {
      const pair = intersectMatchers(a, b);
      exact &&= pair.exact;
      if (pair.matcher) matchers.push(pair.matcher);
    }
  }
  return { matchers: uniqueMatchers(matchers), exact };
}

function intersectMatchers(a: FieldMatcher, b: FieldMatcher): { matcher?: FieldMatcher; exact: boolean } {
  if (a.kind === 'null' || b.kind === 'null') {
    // null is a present value that is no string: only null itself and "exists" accept it.
    const other = a.kind === 'null' ? b : a;
    return { matcher: other.kind === 'null' || (other.kind === 'exists' && other.value) ? { kind: 'null' } : undefined, exact: true };
  }
  if (a.kind === 'equals') return { matcher: acceptsWhenPresent(b, a.value) ? a : undefined, exact: true };
  if (b.kind === 'equals') return { matcher: acceptsWhenPresent(a, b.value) ? b : undefined, exact: true };
  if (a.kind === 'exists' || b.kind === 'exists') return intersectWithExists(a, b);
  if (a.kind === 'anythingBut' && b.kind === 'anythingBut') {
    return { matcher: { kind: 'anythingBut', values: [...new Set([...a.values, ...b.values])] }, exact: true };
  }
  if (a.kind === b.kind && (a.kind === 'prefix' || a.kind === 'suffix')) {
    const outer = a.value;
    const inner = (b as { value: string }).value;
    const contains = a.kind === 'prefix' ? (x: string, y: string) => x.startsWith(y) : (x: string, y: string) => x.endsWith(y);
    if (contains(outer, inner)) return { matcher: a, exact: true };
    if (contains(inner, outer)) return { matcher: b, exact: true };
    return { exact: true };
  }
  if (sameMatcher(a, b)) return { matcher: a, exact: true };
  if (a.kind === 'anythingBut' || b.kind === 'anythingBut') {
    const [excluding, other] = a.kind === 'anythingBut' ? [a, b] : [b, a];
    const excludedValues = (excluding as { values: readonly string[] }).values;
    // Exact when the pattern side accepts none of the excluded values anyway.
    return { matcher: other, exact: !excludedValues.some((value) => matcherAccepts(other, value)) };
  }
  // e.g. prefix ∧ suffix: no single matcher expresses it; keep one side.
  return { matcher: a, exact: false };
}

type ExistsMatcher = Extract<FieldMatcher, { kind: 'exists' }>;

function intersectWithExists(a: FieldMatcher, b: FieldMatcher): { matcher?: FieldMatcher; exact: boolean } {
  const [exists, other] = a.kind === 'exists' ? [a, b] : [b as ExistsMatcher, a];
  if (other.kind === 'exists') return { matcher: exists.value === other.value ? exists : undefined, exact: true };
  // Every other matcher needs the field present.
  return { matcher: exists.value ? other : undefined, exact: true };
}

function acceptsWhenPresent(matcher: Exclude<FieldMatcher, { kind: 'null' }>, value: string): boolean {
  return matcher.kind === 'exists' ? matcher.value : matcherAccepts(matcher, value);
}

export function sameMatcher(a: FieldMatcher, b: FieldMatcher): boolean {
  return matcherKey(a) === matcherKey(b);
}

export function matcherKey(matcher: FieldMatcher): string {
  return JSON.stringify(matcher);
}

export function uniqueMatchers(matchers: readonly FieldMatcher[]): FieldMatcher[] {
  const seen = new Map<string, FieldMatcher>();
  for (const matcher of matchers) seen.set(matcherKey(matcher), matcher);
  return [...seen.values()];
}

/** The EventBridge JSON for one matcher. */
export function renderMatcher(matcher: FieldMatcher): EventPatternMatcher {
  switch (matcher.kind) {
    case 'equals':
      return matcher.value;
    case 'prefix':
      return { prefix: matcher.value };
    case 'suffix':
      return { suffix: matcher.value };
    case 'wildcard':
      return { wildcard: matcher.value };
    case 'exists':
      return { exists: matcher.value };
    case 'anythingBut':
      return { 'anything-but': matcher.values.length === 1 ? matcher.values[0] : [...matcher.values] };
    case 'null':
      return null;
    case 'equalsIgnoreCase':
      return { 'equals-ignore-case': matcher.value };
    case 'prefixIgnoreCase':
      return { prefix: { 'equals-ignore-case': matcher.value } };
    case 'suffixIgnoreCase':
      return { suffix: { 'equals-ignore-case': matcher.value } };
  }
}

/** Escapes literal text for an EventBridge wildcard pattern: only `*` and `\` are special there. */
export function escapeWildcardText(text: string): string {
  return text.replace(/[\\*]/g, (character) => `\\${character}`);
}

/** Reads an EventBridge wildcard pattern (`*` any run of characters, newlines included; anchored). */
export function wildcardRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const character = pattern[i];
    if (character === '\\' && i + 1 < pattern.length) {
      source += escapeRegExp(pattern[++i]);
    } else if (character === '*') {
      source += '[\\s\\S]*';
    } else {
      source += escapeRegExp(character);
    }
  }
  return new RegExp(`^${source}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * An EventBridge event pattern in its JSON (CloudFormation `EventPattern`) form: top-level keys such as `source`,
 * `detail-type` and `detail`, each an array of matchers or a nested object, plus optional `$or` arrays.
 * Kept as plain JSON so that the engine needs no CDK or SDK types.
 */
export type EventPattern = { readonly [key: string]: EventPatternNode };

export type EventPatternNode = readonly EventPatternMatcher[] | EventPattern | readonly EventPattern[];

/** One entry of a field's matcher list: an exact JSON value or a content filter such as `{ prefix: 'x' }`. */
export type EventPatternMatcher = string | number | boolean | null | { readonly [operator: string]: unknown };

/**
 * How closely the pattern follows the query:
 * - `precise`: every condition of the query is expressed, so the pattern lets through what the query matches
 *   (up to the CloudTrail invariants documented in compile-pattern.ts);
 * - `partial`: some conditions were dropped (the pattern lets more through) but it still narrows on some field;
 * - `broad`: nothing narrower than the CloudTrail detail-types is left.
 */
export type PatternPrecision = 'precise' | 'partial' | 'broad';

export interface CompiledEventPattern {
  readonly pattern: EventPattern;
  readonly precision: PatternPrecision;
  /** Why a condition was dropped or widened, one sentence each, without duplicates. */
  readonly notes: string[];
}

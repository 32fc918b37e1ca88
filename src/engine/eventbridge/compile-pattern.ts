import type { KqlNode } from '../kql/ast';
import { type Alternatives, type Conjunction, hull, MAX_CONJUNCTIONS } from './alternatives';
import {
  API_CALL_DETAIL_TYPE,
  EVENT_SOURCE_PATH,
  EVENTBRIDGE_SOURCE_BY_EVENT_SOURCE,
  SIGN_IN_DETAIL_TYPES,
  SIGN_IN_EVENT_SOURCE,
} from './cloudtrail-fields';
import type { CompiledEventPattern, EventPattern, EventPatternMatcher, EventPatternNode, PatternPrecision } from './event-pattern';
import { type FieldMatcher, matcherAccepts, renderMatcher } from './field-condition';
import { queryConditions } from './query-conditions';

/**
 * Compiles a KQL query over ECS CloudTrail documents into an EventBridge pattern that is a sound pre-filter:
 * every CloudTrail event the query can match also matches the pattern. Where the query cannot be expressed
 * exactly, the pattern lets more through (never less) and `notes` say why.
 *
 * Scope and invariants the soundness rests on:
 * - events are CloudTrail API calls ("AWS API Call via CloudTrail") or console sign-ins; service events, Insights
 *   and console actions have other detail-types and are not selected;
 * - the CloudTrail fields mapped in cloudtrail-fields.ts are strings (as in the CloudTrail record schema) and
 *   eventSource/eventName are always present (and ASCII AWS identifiers, for the ignore-case matchers of EQL rules);
 * - an error code that the ECS pipeline erases (`""`, `"-"`, `"none"`, `null`) does not occur in real records;
 *   `event.outcome: success` is filtered with `errorCode: [{exists: false}]` on that basis.
 */
export function compileEventPattern(ast: KqlNode): CompiledEventPattern {
  const notes = new Set<string>();
  return patternFromConditions(queryConditions(ast, notes), notes);
}

/** The pattern for conditions already built (from a KQL tree, or from an EQL query by eql-conditions.ts). */
export function patternFromConditions(built: Alternatives, notes: Set<string>): CompiledEventPattern {
  let conditions = built;
  if (conditions.conjunctions.length === 0) {
    notes.add('the query can never match a CloudTrail document; the pattern keeps only the CloudTrail detail-types');
    return finish(basePattern(undefined, [new Map()]), 'broad', notes);
  }
  if (conditions.conjunctions.length > MAX_CONJUNCTIONS) {
    notes.add(`more than ${MAX_CONJUNCTIONS} alternatives; merged into one looser condition per field`);
    conditions = hull(conditions);
  }
  const { conjunctions } = conditions;
  const detail = renderDetail(conjunctions);
  const source = eventBridgeSources(conjunctions, notes);
  const pattern = basePattern(source, conjunctions);
  if (detail) Object.assign(pattern, { detail });
  return finish(pattern, precisionOf(conditions, detail), notes);
}

function precisionOf(conditions: Alternatives, detail: EventPattern | undefined): PatternPrecision {
  if (!detail) return conditions.exact ? 'precise' : 'broad';
  return conditions.exact ? 'precise' : 'partial';
}

function finish(pattern: EventPattern, precision: PatternPrecision, notes: Set<string>): CompiledEventPattern {
  return { pattern, precision, notes: [...notes] };
}

function basePattern(source: string[] | undefined, conjunctions: readonly Conjunction[]): PatternObject {
  const signInPossible = conjunctions.some((conjunction) => mayAccept(conjunction.get(EVENT_SOURCE_PATH), SIGN_IN_EVENT_SOURCE));
  const detailTypes = signInPossible ? [API_CALL_DETAIL_TYPE, ...SIGN_IN_DETAIL_TYPES] : [API_CALL_DETAIL_TYPE];
  return { ...(source ? { source } : {}), 'detail-type': detailTypes };
}

function mayAccept(matchers: readonly FieldMatcher[] | undefined, value: string): boolean {
  return !matchers || matchers.some((matcher) => matcherAccepts(matcher, value));
}

/** `source` values when every alternative pins eventSource to providers whose envelope source is known. */
function eventBridgeSources(conjunctions: readonly Conjunction[], notes: Set<string>): string[] | undefined {
  const sources: string[] = [];
  for (const conjunction of conjunctions) {
    const matchers = conjunction.get(EVENT_SOURCE_PATH);
    if (!matchers) return undefined;
    for (const matcher of matchers) {
      const source = matcher.kind === 'equals' ? EVENTBRIDGE_SOURCE_BY_EVENT_SOURCE.get(matcher.value) : undefined;
      if (!source) {
        const provider = matcher.kind === 'equals' ? matcher.value : 'a non-literal provider';
        notes.add(`source is left out: the EventBridge source for ${provider} is not verified (detail.eventSource still filters)`);
        return undefined;
      }
      if (!sources.includes(source)) sources.push(source);
    }
  }
  return sources;
}

/** The `detail` object: shared conditions directly, the rest under `$or` when there are several alternatives. */
function renderDetail(conjunctions: readonly Conjunction[]): EventPattern | undefined {
  const [first, ...others] = conjunctions;
  const shared = new Map<string, readonly FieldMatcher[]>();
  for (const [path, matchers] of first) {
    const key = JSON.stringify(matchers);
    if (others.every((conjunction) => JSON.stringify(conjunction.get(path)) === key)) shared.set(path, matchers);
  }
  const detail = nestFields(shared);
  if (others.length > 0) {
    const branches = conjunctions.map((conjunction) => nestFields(withoutPaths(conjunction, shared)));
    // A branch with nothing left is implied by the shared part, which then stands alone.
    if (branches.every((branch) => Object.keys(branch).length > 0)) detail.$or = branches;
  }
  return Object.keys(detail).length > 0 ? detail : undefined;
}

function withoutPaths(conjunction: Conjunction, remove: Conjunction): Conjunction {
  return new Map([...conjunction].filter(([path]) => !remove.has(path)));
}

const FIELD_ORDER = ['eventSource', 'eventName', 'errorCode'];

/** A pattern object while it is being built. */
type PatternObject = { [key: string]: EventPatternNode };

/** `{ 'userIdentity.type': [...] }` → `{ userIdentity: { type: [...] } }`, eventSource and eventName first. */
function nestFields(conjunction: Conjunction): PatternObject {
  const root: PatternObject = {};
  const paths = [...conjunction.keys()].sort((a, b) => fieldRank(a) - fieldRank(b) || a.localeCompare(b));
  for (const path of paths) {
    const keys = path.split('.');
    let node = root;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as PatternObject;
    node[keys[keys.length - 1]] = (conjunction.get(path) ?? []).map(renderMatcher) satisfies EventPatternMatcher[];
  }
  return root;
}

function fieldRank(path: string): number {
  const rank = FIELD_ORDER.indexOf(path);
  return rank < 0 ? FIELD_ORDER.length : rank;
}

/**
 * EventBridge pre-filter patterns for EQL rules. A sound pattern already comes from the KQL seam
 * (`compileEventPattern(eqlToKqlSuperset(query))`); this compiler is that, plus what KQL cannot say and EventBridge
 * can: case-insensitive comparisons (`event.action : "AddPermission*"`, `in~`, `startsWith~`) become
 * `equals-ignore-case` and `prefix`/`suffix` `{equals-ignore-case}` matchers. Everything else goes through the KQL
 * builder term by term, with `and`/`or`/`not` walked here (De Morgan under `not`), so the result is never
 * narrower than the query.
 *
 * Ignore-case matchers are used on `eventSource` and `eventName` only, with ASCII constants: their values are AWS
 * identifiers in ASCII, where EventBridge's case folding and ours cannot disagree.
 */
import { type EqlEventFilter, type EqlExpression, type EqlQuery, eventFiltersOf } from '../eql/ast';
import type { EqlCompileOptions } from '../eql/compile-condition';
import { describeTerm } from '../eql/describe-term';
import { EqlTermTranslator, eqlFilterToKqlSuperset } from '../eql/kql-superset';
import { allOf, type Alternatives, anyOf, single } from './alternatives';
import { CLOUDTRAIL_FIELD_BY_ECS_FIELD, EVENT_NAME_PATH, EVENT_SOURCE_PATH } from './cloudtrail-fields';
import { patternFromConditions } from './compile-pattern';
import type { CompiledEventPattern } from './event-pattern';
import type { FieldMatcher } from './field-condition';
import { queryConditions } from './query-conditions';

const ASCII_IDENTIFIER_PATHS: ReadonlySet<string> = new Set([EVENT_SOURCE_PATH, EVENT_NAME_PATH]);
const MATCHER_KIND = { equals: 'equalsIgnoreCase', prefix: 'prefixIgnoreCase', suffix: 'suffixIgnoreCase' } as const;

/** The pattern for an EQL rule: its event filter, or every stage of a sequence (`until` and missing ones too). */
export function compileEqlEventPattern(query: EqlQuery, options: EqlCompileOptions = {}): CompiledEventPattern {
  const notes = new Set<string>();
  return patternFromConditions(eqlQueryConditions(query, options, notes), notes);
}

export function eqlQueryConditions(query: EqlQuery, options: EqlCompileOptions, notes: Set<string>): Alternatives {
  const builder = new EqlConditionBuilder(options, notes);
  return anyOf(eventFiltersOf(query).map((filter) => builder.filter(filter)));
}

class EqlConditionBuilder {
  private readonly terms: EqlTermTranslator;

  constructor(
    private readonly options: EqlCompileOptions,
    private readonly notes: Set<string>,
  ) {
    this.terms = new EqlTermTranslator(options);
  }

  filter(filter: EqlEventFilter): Alternatives {
    const category = eqlFilterToKqlSuperset({ ...filter, condition: { kind: 'literal', value: true, start: filter.start, end: filter.start } }, this.options);
    return allOf([queryConditions(category, this.notes), this.positive(filter.condition)]);
  }

  private positive(expression: EqlExpression): Alternatives {
    const logical = this.terms.logical(expression);
    if (logical?.kind === 'and') return allOf(logical.operands.map((operand) => this.positive(operand)));
    if (logical?.kind === 'or') return anyOf(logical.operands.map((operand) => this.positive(operand)));
    if (logical?.kind === 'not') return this.negative(logical.operand);
    return this.caseInsensitive(expression) ?? this.term(expression, 'superset');
  }

  /** Conditions for `not expression`: every event the negation can match. */
  private negative(expression: EqlExpression): Alternatives {
    const logical = this.terms.logical(expression);
    if (logical?.kind === 'and') return anyOf(logical.operands.map((operand) => this.negative(operand)));
    if (logical?.kind === 'or') return allOf(logical.operands.map((operand) => this.negative(operand)));
    if (logical?.kind === 'not') return this.positive(logical.operand);
    return this.term(expression, 'subset');
  }

  /** A term through the KQL builder: its superset, or `not` of its subset for a negated term. */
  private term(expression: EqlExpression, direction: 'superset' | 'subset'): Alternatives {
    const { node, exact } = this.terms.translateExactly(expression, direction);
    const conditions = queryConditions(direction === 'superset' ? node : { type: 'not', child: node }, this.notes);
    if (exact) return conditions;
    this.notes.add(`${describeTerm(expression)} is not expressed exactly (case-insensitive, a ? wildcard or a computed value)`);
    return { ...conditions, exact: false };
  }

  private caseInsensitive(expression: EqlExpression): Alternatives | undefined {
    const term = this.terms.caseInsensitiveTerm(expression);
    if (!term) return undefined;
    const path = CLOUDTRAIL_FIELD_BY_ECS_FIELD.get(term.field)?.join('.');
    if (!path || !ASCII_IDENTIFIER_PATHS.has(path) || !term.comparisons.every(({ text }) => /^[\x20-\x7e]*$/.test(text))) return undefined;
    const matchers: FieldMatcher[] = term.comparisons.map(({ kind, text }) => ({ kind: MATCHER_KIND[kind], value: text }));
    return single(path, matchers);
  }
}

/**
 * EQL syntax tree, modelled on the expressions Elasticsearch's EQL parser builds (see docs/eql.md). Every node
 * keeps the offsets of the text it came from, so later checks can name a line and column.
 */

/** `[start, end)` offsets in the query text. */
export interface EqlSpan {
  readonly start: number;
  readonly end: number;
}

export type EqlLiteralValue = string | number | boolean | null;

export interface EqlLiteral extends EqlSpan {
  readonly kind: 'literal';
  readonly value: EqlLiteralValue;
  /** For numbers: `2` is an integer, `2.0` and `1e3` are doubles (integer division depends on it). */
  readonly double?: boolean;
}

/** A field reference. `optional` is the `?field` form: a field the index may not have at all. */
export interface EqlField extends EqlSpan {
  readonly kind: 'field';
  readonly name: string;
  readonly optional: boolean;
}

export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';

/**
 * `:` (case-insensitive equality; `*` and `?` are wildcards), `like` / `like~` (the same wildcards) and
 * `regex` / `regex~` (Lucene regular expressions, matched against the whole value). Several patterns mean any.
 */
export type PatternOperator = ':' | 'like' | 'regex';

export type EqlExpression =
  | EqlLiteral
  | EqlField
  | (EqlSpan & { readonly kind: 'and' | 'or'; readonly operands: readonly EqlExpression[] })
  | (EqlSpan & { readonly kind: 'not'; readonly operand: EqlExpression })
  | (EqlSpan & {
      readonly kind: 'compare';
      readonly operator: ComparisonOperator;
      readonly left: EqlExpression;
      readonly right: EqlExpression;
    })
  | (EqlSpan & {
      readonly kind: 'pattern';
      readonly operator: PatternOperator;
      /** `like~` and `regex~`; always true for `:`. */
      readonly caseInsensitive: boolean;
      readonly value: EqlExpression;
      readonly patterns: readonly EqlLiteral[];
    })
  | (EqlSpan & {
      readonly kind: 'in';
      readonly value: EqlExpression;
      readonly list: readonly EqlExpression[];
      /** `in~`: case-insensitive equality, without wildcards. */
      readonly caseInsensitive: boolean;
      readonly negated: boolean;
    })
  | (EqlSpan & {
      readonly kind: 'arithmetic';
      readonly operator: ArithmeticOperator;
      readonly left: EqlExpression;
      readonly right: EqlExpression;
    })
  | (EqlSpan & { readonly kind: 'negate'; readonly operand: EqlExpression })
  | (EqlSpan & {
      readonly kind: 'function';
      /** Canonical spelling (`stringContains`), whatever case the query used. */
      readonly name: EqlFunctionName;
      /** The `~` form (`startsWith~`). */
      readonly caseInsensitive: boolean;
      readonly args: readonly EqlExpression[];
    });

export type EqlFunctionName =
  | 'add'
  | 'between'
  | 'cidrMatch'
  | 'concat'
  | 'divide'
  | 'endsWith'
  | 'indexOf'
  | 'length'
  | 'modulo'
  | 'multiply'
  | 'number'
  | 'startsWith'
  | 'string'
  | 'stringContains'
  | 'substring'
  | 'subtract';

/** `category where condition`; `category` null is `any`. */
export interface EqlEventFilter extends EqlSpan {
  readonly category: string | null;
  readonly condition: EqlExpression;
}

export interface EqlSequenceStage extends EqlSpan {
  readonly filter: EqlEventFilter;
  /** The stage's own `by` keys, appended to the sequence's. */
  readonly by: readonly EqlField[];
  /** `with runs=N`: the stage stands for N consecutive stages. */
  readonly runs: number;
  /** `![ … ]`: no such event may occur at this place in the sequence. */
  readonly missing: boolean;
}

export interface EqlPipe extends EqlSpan {
  readonly kind: 'head' | 'tail';
  readonly count: number;
}

export interface EqlMaxspan {
  readonly milliseconds: number;
  /** As written, e.g. `15m`. */
  readonly text: string;
}

export type EqlQuery =
  | { readonly kind: 'event'; readonly text: string; readonly filter: EqlEventFilter; readonly pipes: readonly EqlPipe[] }
  | {
      readonly kind: 'sequence';
      readonly text: string;
      readonly by: readonly EqlField[];
      readonly maxspan?: EqlMaxspan;
      readonly stages: readonly EqlSequenceStage[];
      readonly until?: EqlSequenceStage;
      readonly pipes: readonly EqlPipe[];
    };

export type EqlSequenceQuery = Extract<EqlQuery, { kind: 'sequence' }>;
export type EqlEventQuery = Extract<EqlQuery, { kind: 'event' }>;

/**
 * Every event filter of a query: the filter of an event query; every stage of a sequence (missing ones too) and
 * its `until`. An event matching none of them cannot change the query's result.
 */
export function eventFiltersOf(query: EqlQuery): readonly EqlEventFilter[] {
  if (query.kind === 'event') return [query.filter];
  return [...query.stages.map((stage) => stage.filter), ...(query.until ? [query.until.filter] : [])];
}

/** The sub-expressions an expression is made of (none for a literal or a field), for walks over the tree. */
export function childrenOf(expression: EqlExpression): readonly EqlExpression[] {
  switch (expression.kind) {
    case 'literal':
    case 'field':
      return [];
    case 'and':
    case 'or':
      return expression.operands;
    case 'not':
    case 'negate':
      return [expression.operand];
    case 'compare':
    case 'arithmetic':
      return [expression.left, expression.right];
    case 'pattern':
      return [expression.value, ...expression.patterns];
    case 'in':
      return [expression.value, ...expression.list];
    case 'function':
      return expression.args;
  }
}

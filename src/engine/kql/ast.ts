/**
 * KQL syntax tree, modelled on Kibana's kuery node types (see docs/kql.md).
 * Literals keep their raw text: whether `007` is a number or a string is decided at comparison time from the
 * document value's JSON type, as Kibana/Elasticsearch do for keyword fields.
 */

/** A value written in the query. */
export interface KqlLiteral {
  readonly kind: 'literal';
  /** Decoded text (escapes resolved). For unquoted `true`/`false`/`null` this is the keyword text. */
  readonly value: string;
  /** True when written in double quotes: a phrase, never a wildcard, never a keyword. */
  readonly quoted: boolean;
}

/** An unquoted value containing at least one unescaped `*`. */
export interface KqlWildcard {
  readonly kind: 'wildcard';
  /**
   * Alternating literal segments split at each unescaped `*`: `a*b\*c` is `['a', 'b*c']`.
   * A lone `*` is `['', '']`.
   */
  readonly segments: readonly string[];
}

export type KqlValue = KqlLiteral | KqlWildcard;

/** A field name: a dotted path, or a pattern when it contains an unescaped `*`. */
export type KqlField = KqlLiteral | KqlWildcard;

export type RangeOperator = 'lt' | 'lte' | 'gt' | 'gte';

export type KqlNode =
  | { readonly type: 'or'; readonly children: readonly KqlNode[] }
  | { readonly type: 'and'; readonly children: readonly KqlNode[] }
  | { readonly type: 'not'; readonly child: KqlNode }
  /** `field: value`. `field` null means free text. A wildcard value of exactly `*` is an exists check. */
  | { readonly type: 'is'; readonly field: KqlField | null; readonly value: KqlValue }
  | { readonly type: 'range'; readonly field: KqlField; readonly operator: RangeOperator; readonly value: KqlValue }
  /** `path:{ query }`: inner field names are relative to `path`, and all must hold within one object. */
  | { readonly type: 'nested'; readonly path: KqlField; readonly child: KqlNode }
  /** The empty (or blank) query, which Kibana treats as match-all. */
  | { readonly type: 'matchAll' };

/**
 * EQL → Amazon Athena (Trino) SQL for single-event EQL rules, exact or refused, like the KQL translation
 * (translate.ts) it builds on. An EQL condition is what Elasticsearch runs as a Query DSL filter (docs/eql.md): its
 * `and`/`or`/`not` are boolean queries (`not` true for a missing field, as KQL's) and its terms are term, wildcard,
 * prefix and regexp queries on one field. Each term is translated in one of three ways:
 *
 * - terms KQL expresses exactly (`==`, `!=`, `in`, `like` and the wildcard forms of `stringContains`/`endsWith`/
 *   `startsWith` on a field, `== null`) become that KQL term (EqlTermTranslator) and go through `translateKql`;
 * - case-insensitive terms (`:`, `in~`, `like~`, `startsWith~`, `endsWith~` with whole-value, prefix or suffix
 *   patterns of ASCII text) compare `lower(column)`;
 * - `regex` / `regex~` become `regexp_like` with the Lucene expression translated (lucene-regex.ts), anchored.
 *
 * Anything else (scripts: functions of computed values, arithmetic; `?` wildcards; `cidrMatch`; payload fields whose
 * JSON typing EQL reads differently) is refused with the term and the reason. The event category is
 * `event.category` or `event.type` (the rule's `event_category_override`), both derived by the normalizer from
 * `eventName` through its categorization table, so `category where` becomes an `eventname` list.
 */
import { childrenOf, type EqlEventFilter, type EqlExpression, type EqlQuery } from '../engine/eql/ast';
import { DEFAULT_EVENT_CATEGORY_FIELD, type EqlCompileOptions } from '../engine/eql/compile-condition';
import { EqlTermTranslator } from '../engine/eql/kql-superset';
import { translateLuceneRegex } from '../engine/eql/lucene-regex';
import { eventNamesCategorizedAs } from '../engine/ecs/categorization';
import type { KqlNode } from '../engine/kql/ast';
import { and, type Condition, FALSE, fieldSql, likePattern, not, or, REMOVED_SQL, sqlString, translateKql, TRUE, UntranslatableError } from './translate';

const ASCII = /^[\x00-\x7f]*$/;

export const SEQUENCE_REFUSAL = 'a sequence joins several events in order per key within maxspan; one SELECT over single records cannot reproduce its matching';

/** The WHERE condition of a single-event EQL query; throws UntranslatableError naming what cannot be reproduced. */
export function translateEql(query: EqlQuery, options: EqlCompileOptions = {}): Condition {
  if (query.kind === 'sequence') throw new UntranslatableError(SEQUENCE_REFUSAL);
  return new EqlSqlTranslator(query.text, options).filter(query.filter);
}

class EqlSqlTranslator {
  private readonly terms: EqlTermTranslator;

  constructor(
    private readonly text: string,
    private readonly options: EqlCompileOptions,
  ) {
    this.terms = new EqlTermTranslator(options);
  }

  /** The term as the rule writes it, for refusals. */
  private quote(expression: EqlExpression): string {
    return `\`${this.text.slice(expression.start, expression.end).replace(/\s+/g, ' ')}\``;
  }

  filter(filter: EqlEventFilter): Condition {
    checkFields(filter.condition);
    const category = filter.category === null ? TRUE : categoryCondition(this.options.eventCategoryField ?? DEFAULT_EVENT_CATEGORY_FIELD, filter.category);
    return and([category, this.condition(filter.condition)]);
  }

  private condition(expression: EqlExpression): Condition {
    const logical = this.terms.logical(expression);
    if (logical?.kind === 'and') return and(logical.operands.map((operand) => this.condition(operand)));
    if (logical?.kind === 'or') return or(logical.operands.map((operand) => this.condition(operand)));
    // must_not: true when the inner query does not match, a missing field included.
    if (logical?.kind === 'not') return not(this.condition(logical.operand));
    return this.regex(expression) ?? this.caseInsensitive(expression) ?? this.exact(expression);
  }

  /** A term KQL expresses exactly, through the KQL translation. */
  private exact(expression: EqlExpression): Condition {
    const { node, exact } = this.terms.translateExactly(expression, 'superset');
    if (!exact) throw new UntranslatableError(`${this.quote(expression)}: ${refusal(expression)}`);
    return translateKql(node);
  }

  private caseInsensitive(expression: EqlExpression): Condition | undefined {
    const term = this.terms.caseInsensitiveTerm(expression);
    if (!term) return undefined;
    if (!term.comparisons.every(({ text }) => ASCII.test(text))) {
      throw new UntranslatableError(`${this.quote(expression)}: case-insensitive comparison with non-ASCII text (JavaScript's and Trino's case mappings differ outside ASCII)`);
    }
    const field = fieldSql(term.field);
    if (field.kind === 'constant') {
      const value = field.value.toLowerCase();
      return term.comparisons.some(({ kind, text }) => comparesTo(value, kind, text.toLowerCase())) ? TRUE : FALSE;
    }
    if (field.kind === 'outcome') {
      // event.outcome is always lower-case (success, failure, or ConsoleLogin's verdict lowercased).
      const node: KqlNode = { type: 'or', children: term.comparisons.map(({ kind, text }) => outcomeNode(kind, text.toLowerCase())) };
      return translateKql(node);
    }
    if (field.kind !== 'string') throw new UntranslatableError(`${this.quote(expression)}: case-insensitive comparison on a payload field`);
    const lowered = `lower(${field.expr})`;
    const tests = term.comparisons.map(({ kind, text }): string => {
      const lower = text.toLowerCase();
      if (kind === 'equals') return `${lowered} = ${sqlString(lower)}`;
      const pattern = kind === 'prefix' ? [lower, ''] : ['', lower];
      return `${lowered} LIKE ${sqlString(likePattern(pattern))} ESCAPE '\\'`;
    });
    const any = tests.length === 1 ? tests[0] : `(${tests.join(' OR ')})`;
    // `None` is kept by the normalizer but `none` is dropped: compare the value as it is, never only its lower case.
    return { sql: field.removable ? `(${any} AND ${field.expr} NOT IN ${REMOVED_SQL})` : any };
  }

  private regex(expression: EqlExpression): Condition | undefined {
    if (expression.kind !== 'pattern' || expression.operator !== 'regex' || expression.value.kind !== 'field') return undefined;
    const field = fieldSql(expression.value.name);
    if (field.kind !== 'string') throw new UntranslatableError(`${this.quote(expression)}: regular expression on a field without a single text column`);
    const tests = expression.patterns.map((pattern) => {
      if (typeof pattern.value !== 'string') throw new UntranslatableError(`${this.quote(expression)}: a non-text pattern`);
      const { source, problem } = translateLuceneRegex(pattern.value, expression.caseInsensitive);
      if (source === undefined) throw new UntranslatableError(`${this.quote(expression)}: ${problem ?? 'invalid regular expression'}`);
      // Trino's Java-syntax character classes read `&&` as an intersection; JavaScript's as two characters.
      if (source.includes('&&')) throw new UntranslatableError(`${this.quote(expression)}: '&&' in a character class means intersection in Trino's regular expressions`);
      // Lucene matches the whole value; `.` matches line breaks too ((?s)); \A…\z, since Java's $ also matches before a final line break.
      return `regexp_like(${field.expr}, ${sqlString(`(?s)\\A(?:${source})\\z`)})`;
    });
    const any = tests.length === 1 ? tests[0] : `(${tests.join(' OR ')})`;
    return { sql: field.removable ? `(${any} AND ${field.expr} NOT IN ${REMOVED_SQL})` : any };
  }
}

/** Why a term has no exact SQL: the kinds of term the translator widens. */
function refusal(expression: EqlExpression): string {
  if (expression.kind === 'function' && expression.name === 'cidrMatch') return 'IP-range matching is not reproduced';
  if (expression.kind === 'pattern' || expression.kind === 'function') {
    return 'not expressible exactly (a ? wildcard, a case-insensitive pattern with a wildcard inside, or a computed value)';
  }
  return 'Elasticsearch runs it as a script over computed values (functions, arithmetic, optional fields), whose null semantics SQL does not share';
}

function comparesTo(value: string, kind: 'equals' | 'prefix' | 'suffix', text: string): boolean {
  return kind === 'equals' ? value === text : kind === 'prefix' ? value.startsWith(text) : value.endsWith(text);
}

function outcomeNode(kind: 'equals' | 'prefix' | 'suffix', text: string): KqlNode {
  const field = { kind: 'literal', value: 'event.outcome', quoted: false } as const;
  if (kind === 'equals') return { type: 'is', field, value: { kind: 'literal', value: text, quoted: true } };
  return { type: 'is', field, value: { kind: 'wildcard', segments: kind === 'prefix' ? [text, ''] : ['', text] } };
}

/**
 * Every field the condition reads must have an exact column; payload fields are refused, since EQL compares a JSON
 * value by its own type (a number is not the text "22") where the KQL translation reads text and numbers alike.
 */
function checkFields(expression: EqlExpression): void {
  const visit = (node: EqlExpression): void => {
    if (node.kind === 'field') {
      if (fieldSql(node.name).kind === 'flattened') throw new UntranslatableError(`${node.name}: EQL types payload values by their JSON type; not reproduced`);
      return;
    }
    for (const child of childrenOf(node)) visit(child);
  };
  visit(expression);
}


/** `category where`: the normalizer sets event.category and event.type from eventName alone (categorization.ts). */
function categoryCondition(field: string, category: string): Condition {
  if (field !== 'event.category' && field !== 'event.type') {
    throw new UntranslatableError(`the event category is read from ${field}, which has no exact column (only event.category and event.type do)`);
  }
  const { names, withoutNames, otherNames } = eventNamesCategorizedAs(field === 'event.category' ? 'category' : 'type', category);
  if (otherNames) return withoutNames.length === 0 ? TRUE : { sql: `NOT COALESCE(eventname IN (${withoutNames.map(sqlString).join(', ')}), FALSE)` };
  if (names.length === 0) return FALSE;
  return { sql: names.length === 1 ? `eventname = ${sqlString(names[0])}` : `eventname IN (${names.map(sqlString).join(', ')})` };
}

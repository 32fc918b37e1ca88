/**
 * The seam between EQL rules and the machinery built for KQL rules (EventBridge patterns in
 * src/engine/eventbridge, the rule index and raw prefilter in src/engine/rule-index and src/engine/input): a KQL
 * tree that matches every document the EQL query can match, and usually little more. Those consumers are sound
 * for any KQL tree, so `compileEventPattern(eqlToKqlSuperset(query))` is a sound pre-filter for an EQL rule.
 *
 * The translation follows the same query/script split as the evaluator (compile-condition.ts). Each term is
 * translated in two directions: a superset (used where the term counts positively) and a subset (under `not`, so
 * that `not subset` is again a superset). Terms KQL expresses exactly (term equality, `!=`, ranges, `in`, `like`
 * and the wildcard/prefix forms of `stringContains`/`startsWith`/`endsWith` without `?`, `cidrMatch` blocks,
 * `== null`) keep their meaning; case-insensitive terms (`:`, `in~`, `like~`, `regex`, the `~` functions),
 * `?` wildcards and script terms become "anything" (superset) or "nothing" (subset).
 */
import type { KqlField, KqlNode, KqlValue, RangeOperator } from '../kql/ast';
import { compileCidr } from '../kql/cidr';
import { type ComparisonOperator, type EqlEventFilter, type EqlExpression, type EqlField, type EqlLiteral, type EqlQuery, eventFiltersOf } from './ast';
import { ConditionCompiler, DEFAULT_EVENT_CATEGORY_FIELD, type EqlCompileOptions } from './compile-condition';
import { numberFromText, numberText, type Scalar } from './values';
import { ANY_CHARACTER, eqlPatternTokens, luceneWildcardTokens, STAR, type WildcardToken } from './wildcard';

const ALL: KqlNode = { type: 'matchAll' };
const NONE: KqlNode = { type: 'not', child: ALL };

/** A KQL tree matching every document any stage of the query (an event query's filter) can match. */
export function eqlToKqlSuperset(query: EqlQuery, options: EqlCompileOptions = {}): KqlNode {
  // Every stage matters to the state: positive ones, missing-event ones and `until`.
  return or(eventFiltersOf(query).map((filter) => eqlFilterToKqlSuperset(filter, options)));
}

/** A KQL tree matching every document `category where condition` matches. */
export function eqlFilterToKqlSuperset(filter: EqlEventFilter, options: EqlCompileOptions = {}): KqlNode {
  const translator = new EqlTermTranslator(options);
  const condition = translator.superset(filter.condition);
  if (filter.category === null) return condition;
  return and([translator.exactString(options.eventCategoryField ?? DEFAULT_EVENT_CATEGORY_FIELD, filter.category, 'superset'), condition]);
}

export type Direction = 'superset' | 'subset';

const RANGE_OPERATORS: Partial<Record<ComparisonOperator, RangeOperator>> = { '<': 'lt', '<=': 'lte', '>': 'gt', '>=': 'gte' };
const MIRRORED: Readonly<Record<ComparisonOperator, ComparisonOperator>> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/**
 * Translates EQL terms into KQL in either direction. Also used by the EventBridge compiler for EQL
 * (src/engine/eventbridge/eql-conditions.ts), which walks `and`/`or`/`not` itself and asks for the terms.
 */
export class EqlTermTranslator {
  private readonly compiler: ConditionCompiler;

  constructor(private readonly options: EqlCompileOptions) {
    this.compiler = new ConditionCompiler(options);
  }

  superset(expression: EqlExpression): KqlNode {
    return this.translate(expression, 'superset');
  }

  /**
   * An `and`/`or`/`not` that Elasticsearch runs as a boolean query (two-valued), so that its operands can be
   * translated one by one; undefined for a term, a constant or a script.
   */
  logical(expression: EqlExpression): Extract<EqlExpression, { kind: 'and' | 'or' | 'not' }> | undefined {
    if (expression.kind !== 'and' && expression.kind !== 'or' && expression.kind !== 'not') return undefined;
    if (!this.compiler.hasFields(expression) || this.compiler.query(expression).script) return undefined;
    return expression;
  }

  /**
   * A case-insensitive term on a field, as whole-value, prefix or suffix comparisons with text constants (`:`
   * with `x`, `x*` or `*x` patterns, `like~` likewise, `in~`, `startsWith~`, `endsWith~` without wildcards);
   * undefined for anything else.
   */
  caseInsensitiveTerm(expression: EqlExpression): { field: string; comparisons: { kind: 'equals' | 'prefix' | 'suffix'; text: string }[] } | undefined {
    if (this.compiler.query(expression).script) return undefined;
    const comparisons: { kind: 'equals' | 'prefix' | 'suffix'; text: string }[] = [];
    const fromTokens = (tokens: readonly WildcardToken[]): boolean => {
      const [first, second] = tokens;
      if (tokens.length === 0) comparisons.push({ kind: 'equals', text: '' });
      else if (tokens.length === 1 && typeof first === 'string') comparisons.push({ kind: 'equals', text: first });
      else if (tokens.length === 2 && typeof first === 'string' && second === STAR) comparisons.push({ kind: 'prefix', text: first });
      else if (tokens.length === 2 && first === STAR && typeof second === 'string') comparisons.push({ kind: 'suffix', text: second });
      else return false;
      return true;
    };
    let field: EqlField | undefined;
    if (expression.kind === 'pattern' && expression.caseInsensitive && expression.operator !== 'regex') {
      field = this.field(expression.value);
      if (!expression.patterns.every((pattern) => typeof pattern.value === 'string' && fromTokens(eqlPatternTokens(pattern.value)))) return undefined;
    } else if (expression.kind === 'in' && expression.caseInsensitive && !expression.negated) {
      field = this.field(expression.value);
      const constants = expression.list.map((item) => (this.compiler.hasFields(item) ? undefined : this.compiler.fold(item)));
      if (!constants.every((constant) => typeof constant === 'string' && fromTokens([constant]))) return undefined;
    } else if (expression.kind === 'function' && expression.caseInsensitive && (expression.name === 'startsWith' || expression.name === 'endsWith')) {
      field = this.field(expression.args[0]);
      const needle = this.compiler.hasFields(expression.args[1]) ? undefined : this.compiler.fold(expression.args[1]);
      if (typeof needle !== 'string') return undefined;
      const tokens: WildcardToken[] = expression.name === 'startsWith' ? [needle, STAR] : luceneWildcardTokens(`*${needle}`);
      if (!fromTokens(tokens.filter((token) => token !== ''))) return undefined;
    }
    return field && comparisons.length > 0 ? { field: field.name, comparisons } : undefined;
  }

  /** How many times a term was widened (or, under `not`, narrowed) because KQL cannot express it exactly. */
  private widenings = 0;

  /** The translation, and whether it kept the term's exact meaning. */
  translateExactly(expression: EqlExpression, direction: Direction): { node: KqlNode; exact: boolean } {
    const before = this.widenings;
    const node = this.translate(expression, direction);
    return { node, exact: this.widenings === before };
  }

  translate(expression: EqlExpression, direction: Direction): KqlNode {
    const opaque = () => this.widened(direction === 'superset' ? ALL : NONE);
    if (!this.compiler.hasFields(expression)) return this.compiler.fold(expression) === true ? ALL : NONE;
    // A term Elasticsearch runs as a script has no KQL counterpart (and its `not` is not a complement).
    if (this.compiler.query(expression).script) return opaque();
    switch (expression.kind) {
      case 'and':
        return and(expression.operands.map((operand) => this.translate(operand, direction)));
      case 'or':
        return or(expression.operands.map((operand) => this.translate(operand, direction)));
      case 'not':
        return not(this.translate(expression.operand, direction === 'superset' ? 'subset' : 'superset'));
      case 'compare':
        return this.comparison(expression, direction) ?? opaque();
      case 'in':
        return this.membership(expression, direction) ?? opaque();
      case 'pattern':
        return this.pattern(expression, direction) ?? opaque();
      case 'function':
        return this.functionTerm(expression, direction) ?? opaque();
      default:
        return opaque();
    }
  }

  /** A translation that lets more through (or, under `not`, less) than the term: counted for `translateExactly`. */
  private widened(node: KqlNode): KqlNode {
    this.widenings += 1;
    return node;
  }

  private field(expression: EqlExpression): EqlField | undefined {
    return expression.kind === 'field' && !this.compiler.isAbsentField(expression) ? expression : undefined;
  }

  private comparison(expression: Extract<EqlExpression, { kind: 'compare' }>, direction: Direction): KqlNode | undefined {
    let { operator, left, right } = expression;
    if (!this.compiler.hasFields(left)) [left, right, operator] = [right, left, MIRRORED[operator]];
    const field = this.field(left);
    if (!field || this.compiler.hasFields(right)) return undefined;
    const constant = this.compiler.fold(right);
    if (constant === null) {
      if (operator === '==') return not(exists(field.name));
      if (operator === '!=') return exists(field.name);
      return NONE;
    }
    if (operator === '==') return this.equality(field.name, constant, direction);
    if (operator === '!=') return not(this.equality(field.name, constant, flip(direction)));
    // Booleans have no order in KQL, and version fields order differently.
    if (typeof constant === 'boolean' || this.options.fieldTypes?.[field.name] !== undefined) return undefined;
    return { type: 'range', field: kqlField(field.name), operator: RANGE_OPERATORS[operator] as RangeOperator, value: literal(constantText(constant)) };
  }

  /**
   * A term equality. KQL's equality is the same as a term query's (see values.ts termEquals), except that a
   * CIDR block also matches the addresses inside it: fine for a superset, excluded from a subset.
   */
  private equality(field: string, constant: Scalar, direction: Direction): KqlNode {
    const text = constantText(constant);
    if (direction === 'subset' && compileCidr(text) !== undefined) return this.widened(NONE);
    return { type: 'is', field: kqlField(field), value: literal(text) };
  }

  /** Equality with a string that only a string value can satisfy (like, category). */
  exactString(field: string, text: string, direction: Direction): KqlNode {
    // KQL also reads the literal as a number, a boolean or a CIDR block; a subset must not.
    const ambiguous = numberFromText(text) !== undefined || text === 'true' || text === 'false' || compileCidr(text) !== undefined;
    if (direction === 'subset' && ambiguous) return this.widened(NONE);
    return { type: 'is', field: kqlField(field), value: literal(text) };
  }

  private membership(expression: Extract<EqlExpression, { kind: 'in' }>, direction: Direction): KqlNode | undefined {
    const field = this.field(expression.value);
    if (!field || expression.caseInsensitive || expression.list.some((item) => this.compiler.hasFields(item))) return undefined;
    const constants = expression.list.map((item) => this.compiler.fold(item)).filter((value): value is Scalar => value !== null);
    if (!expression.negated) return or(constants.map((constant) => this.equality(field.name, constant, direction)));
    return not(or(constants.map((constant) => this.equality(field.name, constant, flip(direction)))));
  }

  private pattern(expression: Extract<EqlExpression, { kind: 'pattern' }>, direction: Direction): KqlNode | undefined {
    const field = this.field(expression.value);
    if (!field || expression.caseInsensitive || expression.operator !== 'like') return undefined;
    return or(expression.patterns.map((pattern: EqlLiteral) => this.wildcardTerm(field.name, eqlPatternTokens(pattern.value as string), direction)));
  }

  private functionTerm(expression: Extract<EqlExpression, { kind: 'function' }>, direction: Direction): KqlNode | undefined {
    const [first, ...rest] = expression.args;
    const field = this.field(first);
    if (!field || expression.caseInsensitive || rest.some((arg) => this.compiler.hasFields(arg))) return undefined;
    const constants = rest.map((arg) => this.compiler.fold(arg));
    const needle = constants[0];
    switch (expression.name) {
      case 'stringContains':
        return typeof needle === 'string' ? this.wildcardTerm(field.name, luceneWildcardTokens(`*${needle}*`), direction) : undefined;
      case 'endsWith':
        return typeof needle === 'string' ? this.wildcardTerm(field.name, luceneWildcardTokens(`*${needle}`), direction) : undefined;
      case 'startsWith':
        return typeof needle === 'string' ? this.wildcardTerm(field.name, [needle, STAR], direction) : undefined;
      case 'cidrMatch':
        if (direction === 'subset') return this.widened(NONE);
        return or(constants.map((block) => (typeof block === 'string' ? { type: 'is', field: kqlField(field.name), value: literal(block.includes('/') ? block : `${block}/${block.includes(':') ? 128 : 32}`) } : NONE)));
      default:
        return undefined;
    }
  }

  /**
   * A wildcard match on string values. KQL knows `*` only: `?` widens to `*` in a superset and makes a subset
   * empty. A pattern without wildcards is a string equality; a lone `*` (any string) is widened to "exists".
   */
  private wildcardTerm(field: string, tokens: readonly WildcardToken[], direction: Direction): KqlNode {
    if (tokens.includes(ANY_CHARACTER)) {
      if (direction === 'subset') return this.widened(NONE);
      this.widenings += 1;
    }
    const segments: string[] = [''];
    for (const token of tokens) {
      if (token === STAR || token === ANY_CHARACTER) segments.push('');
      else segments[segments.length - 1] += token;
    }
    if (segments.length === 1) return this.exactString(field, segments[0], direction);
    if (segments.every((segment) => segment === '') && direction === 'subset') return this.widened(NONE);
    return { type: 'is', field: kqlField(field), value: { kind: 'wildcard', segments } };
  }
}

function flip(direction: Direction): Direction {
  return direction === 'superset' ? 'subset' : 'superset';
}

function constantText(constant: Scalar): string {
  return typeof constant === 'number' ? numberText(constant) : String(constant);
}

function kqlField(name: string): KqlField {
  return { kind: 'literal', value: name, quoted: false };
}

function literal(text: string): KqlValue {
  return { kind: 'literal', value: text, quoted: true };
}

function exists(field: string): KqlNode {
  return { type: 'is', field: kqlField(field), value: { kind: 'wildcard', segments: ['', ''] } };
}

function isAll(node: KqlNode): boolean {
  return node.type === 'matchAll';
}

function isNone(node: KqlNode): boolean {
  return node.type === 'not' && node.child.type === 'matchAll';
}

function and(children: readonly KqlNode[]): KqlNode {
  if (children.some(isNone)) return NONE;
  const kept = children.filter((child) => !isAll(child));
  return kept.length === 0 ? ALL : kept.length === 1 ? kept[0] : { type: 'and', children: kept };
}

function or(children: readonly KqlNode[]): KqlNode {
  if (children.some(isAll)) return ALL;
  const kept = children.filter((child) => !isNone(child));
  return kept.length === 0 ? NONE : kept.length === 1 ? kept[0] : { type: 'or', children: kept };
}

function not(child: KqlNode): KqlNode {
  if (isAll(child)) return NONE;
  if (isNone(child)) return ALL;
  return child.type === 'not' ? child.child : { type: 'not', child };
}

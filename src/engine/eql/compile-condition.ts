/**
 * Compiles an EQL condition into a predicate over ECS documents that gives Elasticsearch's answer. Elasticsearch
 * does not evaluate EQL itself: it translates the condition into a Query DSL filter (QueryTranslator), and the
 * two kinds of pieces it produces behave differently, so this compiler reproduces the same split:
 *
 * - **Query pieces** (a field against constants: `==`, `!=`, `<`…, `:`, `like`, `regex`, `in`, `in~`,
 *   `stringContains`/`endsWith` as wildcard queries, `startsWith` as a prefix query, `cidrMatch` as a terms
 *   query; and `and`/`or` of anything): two-valued. A field matches when any of its values does; a missing field
 *   matches nothing, and `not` is `must_not`, so `not x == 1` and `x != 1` hold when x is missing.
 * - **Script pieces** (anything on a computed value: functions of fields, arithmetic, a field against another
 *   field…): three-valued. A missing value is null, null propagates (`not null` is null) and only `true`
 *   selects the event. `not` over a script piece stays inside the script. Like Elasticsearch's multi-value-aware
 *   scripts, each field reference ranges over the field's values and the piece holds when some combination
 *   makes it true.
 *
 * `x == null` is `x` IS NULL and `x != null` IS NOT NULL (never null themselves). Everything without a field is
 * folded first (`add(0, 1)`, `-1 < 2`), and a comparison with the constant on the left is turned around.
 * All per-query work happens here; the predicate never throws, whatever JSON value it is given.
 */
import type { ComparisonOperator, EqlEventFilter, EqlExpression, EqlField, EqlLiteral } from './ast';
import { compileCidrBlock } from './cidr';
import { collectScalars, fieldExists, type FieldPath, fieldPath, someScalar } from './document-values';
import { arithmetic, functionImplementation, isIntegerOperand } from './functions';
import { compileLuceneRegex } from './lucene-regex';
import {
  compareScalars,
  compareVersions,
  type EqlValue,
  looseEquals,
  looseEqualsIgnoreCase,
  type Scalar,
  termEquals,
  termEqualsIgnoreCase,
} from './values';
import { compileWildcardTokens, eqlPatternTokens, hasWildcard, luceneWildcardTokens, type TextMatcher } from './wildcard';

export type EqlPredicate = (document: unknown) => boolean;

/** Field types that change how values compare (everything else behaves as keyword, long, double or boolean). */
export type EqlFieldType = 'version';

export interface EqlCompileOptions {
  /**
   * The field holding the event category that `process where …` tests (the EQL API's `event_category_field`, a
   * rule's `event_category_override`). Default `event.category`. Any element of an array counts.
   */
  readonly eventCategoryField?: string;
  /** Field name → type, where the type changes comparisons (`version` orders `1.11.3` after `1.5.0`). */
  readonly fieldTypes?: Readonly<Record<string, EqlFieldType>>;
  /**
   * The fields the searched index has. When given, an optional field (`?name`) that is not among them is the
   * constant null, as Elasticsearch resolves it; without it every field is assumed to exist.
   */
  readonly knownFields?: (name: string) => boolean;
}

export const DEFAULT_EVENT_CATEGORY_FIELD = 'event.category';

/** Beyond this many combinations of multi-valued fields a script piece stops looking (and does not match). */
export const MAX_VALUE_COMBINATIONS = 4096;

const ALWAYS: EqlPredicate = () => true;
const NEVER: EqlPredicate = () => false;

/** `category where condition` as a predicate. */
export function compileEventFilter(filter: EqlEventFilter, options: EqlCompileOptions = {}): EqlPredicate {
  const condition = compileCondition(filter.condition, options);
  if (filter.category === null) return condition;
  const category = filter.category;
  const categoryPath = fieldPath(options.eventCategoryField ?? DEFAULT_EVENT_CATEGORY_FIELD);
  const isCategory = (value: Scalar) => termEquals(value, category);
  return (document) => someScalar(document, categoryPath, isCategory) && condition(document);
}

/** A condition (the part after `where`) as a predicate. */
export function compileCondition(condition: EqlExpression, options: EqlCompileOptions = {}): EqlPredicate {
  return new ConditionCompiler(options).query(condition).test;
}

interface QueryPiece {
  readonly test: EqlPredicate;
  /** True when Elasticsearch would run this piece as a script (three-valued), false for a query. */
  readonly script: boolean;
}

interface Script {
  readonly evaluate: (env: EqlValue[]) => EqlValue;
  /** Statically a double (`2.0`, arithmetic with one): decides integer division and how `string()` renders it. */
  readonly double: boolean;
}

const MIRRORED: Readonly<Record<ComparisonOperator, ComparisonOperator>> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
const HOLDS: Readonly<Record<ComparisonOperator, (order: number) => boolean>> = {
  '==': (order) => order === 0,
  '!=': (order) => order !== 0,
  '<': (order) => order < 0,
  '<=': (order) => order <= 0,
  '>': (order) => order > 0,
  '>=': (order) => order >= 0,
};

const DOUBLE_RESULT_FUNCTIONS = new Set(['add', 'subtract', 'multiply', 'divide', 'modulo']);

export class ConditionCompiler {
  constructor(private readonly options: EqlCompileOptions) {}

  /** An optional field the index does not have: the constant null. */
  isAbsentField(field: EqlField): boolean {
    return field.optional && this.options.knownFields !== undefined && !this.options.knownFields(field.name);
  }

  /** Whether the expression reads the document at all (otherwise it folds to a constant). */
  hasFields(expression: EqlExpression): boolean {
    switch (expression.kind) {
      case 'literal':
        return false;
      case 'field':
        return !this.isAbsentField(expression);
      case 'and':
      case 'or':
        return expression.operands.some((operand) => this.hasFields(operand));
      case 'not':
      case 'negate':
        return this.hasFields(expression.operand);
      case 'compare':
      case 'arithmetic':
        return this.hasFields(expression.left) || this.hasFields(expression.right);
      case 'pattern':
        return this.hasFields(expression.value);
      case 'in':
        return this.hasFields(expression.value) || expression.list.some((item) => this.hasFields(item));
      case 'function':
        return expression.args.some((arg) => this.hasFields(arg));
    }
  }

  /** The value of an expression without fields. */
  fold(expression: EqlExpression): EqlValue {
    return this.script(expression, []).evaluate([]);
  }

  /** A field reference that reads the document (not an absent optional field). */
  private documentField(expression: EqlExpression): EqlField | undefined {
    return expression.kind === 'field' && !this.isAbsentField(expression) ? expression : undefined;
  }

  // --- query pieces --------------------------------------------------------------------------------------------

  query(expression: EqlExpression): QueryPiece {
    if (!this.hasFields(expression)) return { test: this.fold(expression) === true ? ALWAYS : NEVER, script: false };
    switch (expression.kind) {
      case 'and': {
        const operands = expression.operands.map((operand) => this.query(operand).test);
        return { test: (document) => operands.every((operand) => operand(document)), script: false };
      }
      case 'or': {
        const operands = expression.operands.map((operand) => this.query(operand).test);
        return { test: (document) => operands.some((operand) => operand(document)), script: false };
      }
      case 'not': {
        const operand = this.query(expression.operand);
        if (operand.script) return this.scriptPiece(expression);
        return { test: (document) => !operand.test(document), script: false };
      }
      case 'compare':
        return this.comparisonQuery(expression);
      case 'pattern':
        return this.patternQuery(expression);
      case 'in':
        return this.inQuery(expression);
      case 'function':
        return this.functionQuery(expression);
      default:
        return this.scriptPiece(expression);
    }
  }

  private comparisonQuery(expression: Extract<EqlExpression, { kind: 'compare' }>): QueryPiece {
    let { operator, left, right } = expression;
    if (!this.hasFields(left) && this.hasFields(right)) [left, right, operator] = [right, left, MIRRORED[operator]];
    const field = this.documentField(left);
    if (this.hasFields(right)) return this.scriptPiece(expression);
    const constant = this.fold(right);
    if (constant === null) {
      // Ordered against null: null whatever the field holds, and so is its negation (Elasticsearch folds it).
      if (operator !== '==' && operator !== '!=') return { test: NEVER, script: true };
      if (!field) return this.scriptPiece(expression);
      const path = fieldPath(field.name);
      return operator === '==' ? { test: (document) => !fieldExists(document, path), script: false } : { test: (document) => fieldExists(document, path), script: false };
    }
    if (!field) return this.scriptPiece(expression);
    const path = fieldPath(field.name);
    if (operator === '==' || operator === '!=') {
      const equals = (value: Scalar) => termEquals(value, constant);
      return operator === '==' ? { test: (document) => someScalar(document, path, equals), script: false } : { test: (document) => !someScalar(document, path, equals), script: false };
    }
    const holds = HOLDS[operator];
    const compare = this.comparatorFor(field);
    return { test: (document) => someScalar(document, path, (value) => { const order = compare(value, constant); return order !== undefined && holds(order); }), script: false };
  }

  private comparatorFor(field: EqlField | undefined): (a: Scalar, b: Scalar) => number | undefined {
    if (field && this.options.fieldTypes?.[field.name] === 'version') {
      return (a, b) => (typeof a === 'string' && typeof b === 'string' ? compareVersions(a, b) : compareScalars(a, b));
    }
    return compareScalars;
  }

  private patternQuery(expression: Extract<EqlExpression, { kind: 'pattern' }>): QueryPiece {
    const field = this.documentField(expression.value);
    if (field) {
      const matchers = expression.patterns.map((pattern) => this.valueMatcher(expression.operator, expression.caseInsensitive, pattern, true));
      const path = fieldPath(field.name);
      const matches = (value: Scalar) => matchers.some((matcher) => matcher(value));
      return { test: (document) => someScalar(document, path, matches), script: false };
    }
    // `:` and `like` with several patterns are an `or` of one comparison per pattern; `regex` is one function.
    if (expression.operator === 'regex' || expression.patterns.length === 1) return this.scriptPiece(expression);
    const pieces = expression.patterns.map((pattern) => this.scriptPiece({ ...expression, patterns: [pattern] }).test);
    return { test: (document) => pieces.some((piece) => piece(document)), script: false };
  }

  /**
   * Whether one value matches one pattern of `:` / `like` / `regex`; `field` says whether the value is a field's
   * (a term query, typed by the field) or a computed one (a script).
   */
  private valueMatcher(operator: Extract<EqlExpression, { kind: 'pattern' }>['operator'], caseInsensitive: boolean, pattern: EqlLiteral, field: boolean): (value: Scalar) => boolean {
    const equalsIgnoringCase = field ? termEqualsIgnoreCase : looseEqualsIgnoreCase;
    const constant = pattern.value;
    if (constant === null) return () => false;
    if (typeof constant !== 'string') return (value) => equalsIgnoringCase(value, constant);
    if (operator === 'regex') {
      const expression = compileLuceneRegex(constant, caseInsensitive);
      return expression ? (value) => typeof value === 'string' && expression.test(value) : () => false;
    }
    const tokens = eqlPatternTokens(constant);
    if (operator === ':' && !hasWildcard(tokens)) return (value) => equalsIgnoringCase(value, constant);
    const matches = compileWildcardTokens(tokens, caseInsensitive);
    return (value) => typeof value === 'string' && matches(value);
  }

  private inQuery(expression: Extract<EqlExpression, { kind: 'in' }>): QueryPiece {
    const field = this.documentField(expression.value);
    let piece: QueryPiece;
    if (expression.caseInsensitive) {
      // `x in~ (a, b)` is `x : a or x : b` without wildcards.
      const comparisons = expression.list.map((item) => this.insensitiveEquality(expression.value, field, item));
      piece = comparisons.length === 1 ? comparisons[0] : { test: (document) => comparisons.some((comparison) => comparison.test(document)), script: false };
    } else if (field && expression.list.every((item) => !this.hasFields(item))) {
      const constants = expression.list.map((item) => this.fold(item)).filter((value): value is Scalar => value !== null);
      const path = fieldPath(field.name);
      const member = (value: Scalar) => constants.some((constant) => termEquals(value, constant));
      piece = { test: (document) => someScalar(document, path, member), script: false };
    } else {
      return this.scriptPiece(expression);
    }
    if (!expression.negated) return piece;
    if (piece.script) return this.scriptPiece(expression);
    return { test: (document) => !piece.test(document), script: false };
  }

  private insensitiveEquality(value: EqlExpression, field: EqlField | undefined, item: EqlExpression): QueryPiece {
    if (field && !this.hasFields(item)) {
      const constant = this.fold(item);
      if (constant === null) return { test: NEVER, script: false };
      const path = fieldPath(field.name);
      return { test: (document) => someScalar(document, path, (candidate) => termEqualsIgnoreCase(candidate, constant)), script: false };
    }
    return this.scriptPiece({ kind: 'in', value, list: [item], caseInsensitive: true, negated: false, start: value.start, end: item.end });
  }

  private functionQuery(expression: Extract<EqlExpression, { kind: 'function' }>): QueryPiece {
    const [first, ...rest] = expression.args;
    const field = this.documentField(first);
    if (!field || rest.some((arg) => this.hasFields(arg))) return this.scriptPiece(expression);
    const path = fieldPath(field.name);
    const constants = rest.map((arg) => this.fold(arg));
    const textTest = (matches: TextMatcher): QueryPiece => ({
      test: (document) => someScalar(document, path, (value) => typeof value === 'string' && matches(value)),
      script: false,
    });
    const needle = constants[0];
    switch (expression.name) {
      case 'stringContains':
      case 'endsWith': {
        if (typeof needle !== 'string') break;
        // Elasticsearch builds a wildcard query from the constant without escaping it: `*` and `?` are wildcards.
        const pattern = expression.name === 'stringContains' ? `*${needle}*` : `*${needle}`;
        return textTest(compileWildcardTokens(luceneWildcardTokens(pattern), expression.caseInsensitive));
      }
      case 'startsWith': {
        if (typeof needle !== 'string') break;
        const prefix = expression.caseInsensitive ? needle.toLowerCase() : needle;
        return textTest(expression.caseInsensitive ? (value) => value.toLowerCase().startsWith(prefix) : (value) => value.startsWith(prefix));
      }
      case 'cidrMatch': {
        const blocks = constants.map((block) => (typeof block === 'string' ? compileCidrBlock(block) : undefined));
        return textTest((value) => blocks.some((block) => block !== undefined && block(value)));
      }
      default:
        break;
    }
    return this.scriptPiece(expression);
  }

  // --- script pieces -------------------------------------------------------------------------------------------

  /**
   * The expression as one script: true when some combination of the values of the fields it reads makes it
   * true (a field without values contributes one null).
   */
  scriptPiece(expression: EqlExpression): QueryPiece {
    const slots: FieldPath[] = [];
    const script = this.script(expression, slots);
    if (slots.length === 0) return { test: script.evaluate([]) === true ? ALWAYS : NEVER, script: true };
    const buffers: Scalar[][] = slots.map(() => []);
    const choices: (readonly EqlValue[])[] = slots.map(() => NULL_ONLY);
    const positions: number[] = slots.map(() => 0);
    const env: EqlValue[] = slots.map(() => null);
    const test: EqlPredicate = (document) => {
      let combinations = 1;
      for (let i = 0; i < slots.length; i++) {
        const values = collectScalars(document, slots[i], buffers[i]);
        choices[i] = values.length > 0 ? values : NULL_ONLY;
        combinations *= choices[i].length;
        env[i] = choices[i][0];
        positions[i] = 0;
      }
      if (combinations === 1) return script.evaluate(env) === true;
      for (let tried = 0; tried < Math.min(combinations, MAX_VALUE_COMBINATIONS); tried++) {
        if (script.evaluate(env) === true) return true;
        // Next combination (odometer order).
        for (let i = 0; i < slots.length; i++) {
          positions[i] += 1;
          if (positions[i] < choices[i].length) {
            env[i] = choices[i][positions[i]];
            break;
          }
          positions[i] = 0;
          env[i] = choices[i][0];
        }
      }
      return false;
    };
    return { test, script: true };
  }

  /** Compiles an expression to a three-valued function of the field values in `env` (one slot per reference). */
  script(expression: EqlExpression, slots: FieldPath[]): Script {
    if (expression.kind === 'literal' || this.hasFields(expression)) return this.scriptNode(expression, slots);
    const constant = this.scriptNode(expression, []);
    const value = constant.evaluate([]);
    return { evaluate: () => value, double: constant.double };
  }

  private scriptNode(expression: EqlExpression, slots: FieldPath[]): Script {
    switch (expression.kind) {
      case 'literal': {
        const value = expression.value;
        return { evaluate: () => value, double: expression.double === true };
      }
      case 'field': {
        if (this.isAbsentField(expression)) return { evaluate: () => null, double: false };
        const slot = slots.push(fieldPath(expression.name)) - 1;
        return { evaluate: (env) => env[slot], double: false };
      }
      case 'and':
      case 'or':
        return this.logicScript(expression.kind, expression.operands.map((operand) => this.script(operand, slots)));
      case 'not': {
        const operand = this.script(expression.operand, slots).evaluate;
        return { evaluate: (env) => negate(operand(env)), double: false };
      }
      case 'compare':
        return this.comparisonScript(expression, slots);
      case 'pattern': {
        const value = this.script(expression.value, slots).evaluate;
        const matchers = expression.patterns.map((pattern) => this.valueMatcher(expression.operator, expression.caseInsensitive, pattern, false));
        return {
          evaluate: (env) => {
            const candidate = value(env);
            if (candidate === null) return null;
            return matchers.some((matcher) => matcher(candidate));
          },
          double: false,
        };
      }
      case 'in':
        return this.inScript(expression, slots);
      case 'arithmetic': {
        const left = this.script(expression.left, slots);
        const right = this.script(expression.right, slots);
        const { operator } = expression;
        const exactDivision = operator === '/' || operator === '%';
        return {
          evaluate: (env) => {
            const a = left.evaluate(env);
            const b = right.evaluate(env);
            return arithmetic(operator, a, b, exactDivision && isIntegerOperand(a, left.double) && isIntegerOperand(b, right.double));
          },
          double: left.double || right.double,
        };
      }
      case 'negate': {
        const operand = this.script(expression.operand, slots);
        return {
          evaluate: (env) => {
            const value = operand.evaluate(env);
            return typeof value === 'number' ? -value : null;
          },
          double: operand.double,
        };
      }
      case 'function': {
        const args = expression.args.map((arg) => this.script(arg, slots));
        const implementation = functionImplementation(expression.name);
        const doubles = args.map((arg) => arg.double);
        const { caseInsensitive } = expression;
        const values: EqlValue[] = args.map(() => null);
        return {
          evaluate: (env) => {
            for (let i = 0; i < args.length; i++) values[i] = args[i].evaluate(env);
            return implementation(values, caseInsensitive, doubles);
          },
          double: DOUBLE_RESULT_FUNCTIONS.has(expression.name) && doubles.some(Boolean),
        };
      }
    }
  }

  private logicScript(kind: 'and' | 'or', operands: readonly Script[]): Script {
    const decisive = kind === 'or';
    return {
      evaluate: (env) => {
        let sawNull = false;
        for (const operand of operands) {
          const value = operand.evaluate(env);
          if (value === decisive) return decisive;
          if (typeof value !== 'boolean') sawNull = true;
        }
        return sawNull ? null : !decisive;
      },
      double: false,
    };
  }

  private comparisonScript(expression: Extract<EqlExpression, { kind: 'compare' }>, slots: FieldPath[]): Script {
    const { operator } = expression;
    const leftIsNull = !this.hasFields(expression.left) && this.fold(expression.left) === null;
    const rightIsNull = !this.hasFields(expression.right) && this.fold(expression.right) === null;
    if (leftIsNull || rightIsNull) {
      if (operator !== '==' && operator !== '!=') return { evaluate: () => null, double: false };
      const other = this.script(leftIsNull ? expression.right : expression.left, slots).evaluate;
      return operator === '==' ? { evaluate: (env) => other(env) === null, double: false } : { evaluate: (env) => other(env) !== null, double: false };
    }
    const left = this.script(expression.left, slots).evaluate;
    const right = this.script(expression.right, slots).evaluate;
    const field = this.documentField(expression.left) ?? this.documentField(expression.right);
    const compare = this.comparatorFor(field);
    const holds = HOLDS[operator];
    const equality = operator === '==' || operator === '!=';
    return {
      evaluate: (env) => {
        const a = left(env);
        const b = right(env);
        if (a === null || b === null) return null;
        if (equality) return looseEquals(a, b) === (operator === '==');
        const order = compare(a, b);
        return order === undefined ? null : holds(order);
      },
      double: false,
    };
  }

  private inScript(expression: Extract<EqlExpression, { kind: 'in' }>, slots: FieldPath[]): Script {
    const value = this.script(expression.value, slots).evaluate;
    const items = expression.list.map((item) => this.script(item, slots).evaluate);
    const equals = expression.caseInsensitive ? looseEqualsIgnoreCase : looseEquals;
    const { negated } = expression;
    return {
      evaluate: (env) => {
        const candidate = value(env);
        if (candidate === null) return null;
        let sawNull = false;
        for (const item of items) {
          const member = item(env);
          if (member === null) sawNull = true;
          else if (equals(candidate, member)) return !negated;
        }
        return sawNull ? null : negated;
      },
      double: false,
    };
  }
}

const NULL_ONLY: readonly EqlValue[] = [null];

function negate(value: EqlValue): EqlValue {
  return typeof value === 'boolean' ? !value : null;
}

/**
 * KQL parser following Kibana's PEG grammar (kbn-es-query `grammar.peggy`) rule for rule, so queries that Kibana
 * accepts are accepted here with the same tree, and rejected ones fail at the same place.
 *
 * It is a packrat parser like peggy with its cache on: every rule result is memoised per position, which keeps
 * backtracking linear and also reproduces peggy's error positions and expectation lists (a failure first seen
 * inside a named rule, such as "whitespace" inside OR, is silent and stays silent when the cached result is reused).
 * That includes the `Space` tests of the `!Keyword` check inside unquoted literals: they fill the same cache, so
 * `f:foo and bar or baz not qux` expects `":"`, the comparisons, AND, OR and end of input, but not "whitespace".
 */
import type { KqlField, KqlNode, KqlValue, RangeOperator } from './ast';
import { isKqlSpace, keywordLengthAt } from './characters';
import { scanQuotedString, scanUnquotedLiteral } from './literal-scanner';
import { KqlSyntaxError } from './syntax-error';

/**
 * Deepest nesting of `(`, `f:(` and `f:{` accepted. Real rules use a handful of levels; the limit keeps
 * pathological input from exhausting the call stack and turns it into an ordinary syntax error.
 */
export const MAX_NESTING_DEPTH = 128;

const FAILED = Symbol('failed');
type Result<T> = T | typeof FAILED;

/** A value-list term waiting for its field: `f:(a or b)` distributes `f` over every value, as Kibana does. */
type PartialQuery = (field: KqlField | null) => KqlNode;

const enum Rule {
  Space,
  OrQuery,
  AndQuery,
  NotQuery,
  SubQuery,
  NestedQuery,
  Expression,
  FieldRange,
  FieldValue,
  ValueExpression,
  ListOfValues,
  OrListOfValues,
  AndListOfValues,
  NotListOfValues,
  Value,
  Or,
  And,
  Not,
  Literal,
  Field,
  RangeOperator,
  Count,
}

interface Memo {
  readonly end: number;
  readonly result: unknown;
}

const MATCH_ALL: KqlNode = { type: 'matchAll' };

export function parseKql(query: string): KqlNode {
  if (typeof query !== 'string') throw new TypeError('parseKql expects the query as a string');
  return new KqlParser(query).parseQuery();
}

class KqlParser {
  private position = 0;
  private furthestFailure = 0;
  private readonly expectations = new Set<string>();
  private silence = 0;
  private depth = 0;
  private readonly memos = new Map<number, Memo>();

  constructor(private readonly text: string) {}

  parseQuery(): KqlNode {
    this.spaces();
    const start = this.position;
    let query: Result<KqlNode> | null = this.orQuery();
    if (query === FAILED) {
      this.position = start;
      query = null;
    }
    this.spaces();
    if (this.position === this.text.length) return query ?? MATCH_ALL;
    this.fail('end of input');
    throw new KqlSyntaxError(this.text, this.furthestFailure, { expected: [...this.expectations].sort() });
  }

  // ---- machinery -------------------------------------------------------------------------------------------------

  private memo<T>(rule: Rule, body: () => Result<T>): Result<T> {
    const key = this.position * Rule.Count + rule;
    const cached = this.memos.get(key);
    if (cached !== undefined) {
      this.position = cached.end;
      return cached.result as Result<T>;
    }
    const result = body();
    this.memos.set(key, { end: this.position, result });
    return result;
  }

  /** A rule with a display name: its inner failures are silent and it reports itself where it started. */
  private named<T>(description: string, body: () => Result<T>): Result<T> {
    const start = this.position;
    this.silence += 1;
    const result = body();
    this.silence -= 1;
    if (result === FAILED) {
      this.position = start;
      this.fail(description);
    }
    return result;
  }

  private fail(description: string): void {
    if (this.silence > 0 || this.position < this.furthestFailure) return;
    if (this.position > this.furthestFailure) {
      this.furthestFailure = this.position;
      this.expectations.clear();
    }
    this.expectations.add(description);
  }

  private matchChar(char: string): boolean {
    if (this.text[this.position] === char) {
      this.position += 1;
      return true;
    }
    this.fail(`"${char}"`);
    return false;
  }

  private enterNesting(openerOffset: number): void {
    this.depth += 1;
    if (this.depth > MAX_NESTING_DEPTH) {
      throw new KqlSyntaxError(this.text, openerOffset, {
        expected: [],
        problem: `the query nests parentheses or braces more than ${MAX_NESTING_DEPTH} levels deep; simplify it`,
      });
    }
  }

  private leaveNesting(): void {
    this.depth -= 1;
  }

  private space(): boolean {
    const result = this.memo(Rule.Space, () =>
      this.named('whitespace', () => {
        if (!isKqlSpace(this.text[this.position])) return FAILED;
        this.position += 1;
        return true;
      }),
    );
    return result !== FAILED;
  }

  /**
   * The `Space` rule evaluated silently (a literal's `!Keyword` check sits inside the named rules "value", "literal"
   * and "fieldName"): the answer is cached at that position unless an earlier evaluation already is.
   */
  private readonly probeSpace = (offset: number): boolean => {
    const key = offset * Rule.Count + Rule.Space;
    let cached = this.memos.get(key);
    if (cached === undefined) {
      const isSpace = isKqlSpace(this.text[offset]);
      cached = { end: isSpace ? offset + 1 : offset, result: isSpace ? true : FAILED };
      this.memos.set(key, cached);
    }
    return cached.result !== FAILED;
  };

  private spaces(): void {
    while (this.space()) {
      // Space* consumes every whitespace character.
    }
  }

  private keyword(rule: Rule, description: string, word: 'and' | 'or' | 'not', needsLeadingSpace: boolean): boolean {
    const result = this.memo(rule, () =>
      this.named(description, () => {
        if (needsLeadingSpace) {
          if (!this.space()) return FAILED;
          this.spaces();
        }
        const length = keywordLengthAt(this.text, this.position, word);
        if (length === 0) return FAILED;
        this.position += length;
        if (!this.space()) return FAILED;
        this.spaces();
        return true;
      }),
    );
    return result !== FAILED;
  }

  private or(): boolean {
    return this.keyword(Rule.Or, 'OR', 'or', true);
  }

  private and(): boolean {
    return this.keyword(Rule.And, 'AND', 'and', true);
  }

  private not(): boolean {
    return this.keyword(Rule.Not, 'NOT', 'not', false);
  }

  /** Runs `body` and rewinds when it fails, like an ordered-choice alternative. */
  private attempt<T>(body: () => Result<T>): Result<T> {
    const start = this.position;
    const result = body();
    if (result === FAILED) this.position = start;
    return result;
  }

  // ---- queries ---------------------------------------------------------------------------------------------------

  private orQuery(): Result<KqlNode> {
    return this.memo(Rule.OrQuery, () => this.naryChain('or', () => this.andQuery(), () => this.or()));
  }

  private andQuery(): Result<KqlNode> {
    return this.memo(Rule.AndQuery, () => this.naryChain('and', () => this.notQuery(), () => this.and()));
  }

  private naryChain(
    type: 'and' | 'or',
    operand: () => Result<KqlNode>,
    separator: () => boolean,
  ): Result<KqlNode> {
    const head = operand();
    if (head === FAILED) return FAILED;
    const children = [head];
    for (;;) {
      const next = this.attempt(() => (separator() ? operand() : FAILED));
      if (next === FAILED) break;
      children.push(next);
    }
    return children.length === 1 ? head : { type, children };
  }

  private notQuery(): Result<KqlNode> {
    return this.memo(Rule.NotQuery, () => {
      const negated = this.attempt<KqlNode>(() => {
        if (!this.not()) return FAILED;
        const child = this.subQuery();
        return child === FAILED ? FAILED : { type: 'not', child };
      });
      return negated !== FAILED ? negated : this.subQuery();
    });
  }

  private subQuery(): Result<KqlNode> {
    return this.memo(Rule.SubQuery, () => {
      const grouped = this.attempt(() => this.enclosed('(', ')', () => this.orQuery()));
      return grouped !== FAILED ? grouped : this.nestedQuery();
    });
  }

  /** `open ws* inner ws* close`, counting the nesting depth. */
  private enclosed<T>(open: string, close: string, inner: () => Result<T>): Result<T> {
    const openerOffset = this.position;
    if (!this.matchChar(open)) return FAILED;
    this.enterNesting(openerOffset);
    this.spaces();
    const result = inner();
    let closed = false;
    if (result !== FAILED) {
      this.spaces();
      closed = this.matchChar(close);
    }
    this.leaveNesting();
    return closed ? result : FAILED;
  }

  private nestedQuery(): Result<KqlNode> {
    return this.memo(Rule.NestedQuery, () => {
      const nested = this.attempt<KqlNode>(() => {
        const path = this.field();
        if (path === FAILED) return FAILED;
        this.spaces();
        if (!this.matchChar(':')) return FAILED;
        this.spaces();
        const child = this.enclosed('{', '}', () => this.orQuery());
        return child === FAILED ? FAILED : { type: 'nested', path, child };
      });
      return nested !== FAILED ? nested : this.expression();
    });
  }

  private expression(): Result<KqlNode> {
    return this.memo(Rule.Expression, () => {
      const range = this.fieldRangeExpression();
      if (range !== FAILED) return range;
      const fieldValue = this.fieldValueExpression();
      if (fieldValue !== FAILED) return fieldValue;
      return this.valueExpression();
    });
  }

  private fieldRangeExpression(): Result<KqlNode> {
    return this.memo(Rule.FieldRange, () =>
      this.attempt<KqlNode>(() => {
        const field = this.field();
        if (field === FAILED) return FAILED;
        this.spaces();
        const operator = this.rangeOperator();
        if (operator === FAILED) return FAILED;
        this.spaces();
        const value = this.literal();
        return value === FAILED ? FAILED : { type: 'range', field, operator, value };
      }),
    );
  }

  private rangeOperator(): Result<RangeOperator> {
    return this.memo(Rule.RangeOperator, () => {
      const operators: ReadonlyArray<readonly [string, RangeOperator]> = [
        ['<=', 'lte'],
        ['>=', 'gte'],
        ['<', 'lt'],
        ['>', 'gt'],
      ];
      for (const [symbol, operator] of operators) {
        if (this.text.startsWith(symbol, this.position)) {
          this.position += symbol.length;
          return operator;
        }
        this.fail(`"${symbol}"`);
      }
      return FAILED;
    });
  }

  private fieldValueExpression(): Result<KqlNode> {
    return this.memo(Rule.FieldValue, () =>
      this.attempt<KqlNode>(() => {
        const field = this.field();
        if (field === FAILED) return FAILED;
        this.spaces();
        if (!this.matchChar(':')) return FAILED;
        this.spaces();
        const partial = this.listOfValues();
        return partial === FAILED ? FAILED : partial(field);
      }),
    );
  }

  /** A value with no field: free text. */
  private valueExpression(): Result<KqlNode> {
    return this.memo(Rule.ValueExpression, () => {
      const partial = this.value();
      return partial === FAILED ? FAILED : partial(null);
    });
  }

  // ---- value lists -----------------------------------------------------------------------------------------------

  private listOfValues(): Result<PartialQuery> {
    return this.memo(Rule.ListOfValues, () => {
      const grouped = this.attempt(() => this.enclosed('(', ')', () => this.orListOfValues()));
      return grouped !== FAILED ? grouped : this.value();
    });
  }

  private orListOfValues(): Result<PartialQuery> {
    return this.memo(Rule.OrListOfValues, () =>
      this.naryPartialChain('or', () => this.andListOfValues(), () => this.or()),
    );
  }

  private andListOfValues(): Result<PartialQuery> {
    return this.memo(Rule.AndListOfValues, () =>
      this.naryPartialChain('and', () => this.notListOfValues(), () => this.and()),
    );
  }

  private naryPartialChain(
    type: 'and' | 'or',
    operand: () => Result<PartialQuery>,
    separator: () => boolean,
  ): Result<PartialQuery> {
    const head = operand();
    if (head === FAILED) return FAILED;
    const parts = [head];
    for (;;) {
      const next = this.attempt(() => (separator() ? operand() : FAILED));
      if (next === FAILED) break;
      parts.push(next);
    }
    if (parts.length === 1) return head;
    return (field) => ({ type, children: parts.map((part) => part(field)) });
  }

  private notListOfValues(): Result<PartialQuery> {
    return this.memo(Rule.NotListOfValues, () => {
      const negated = this.attempt<PartialQuery>(() => {
        if (!this.not()) return FAILED;
        const partial = this.listOfValues();
        return partial === FAILED ? FAILED : (field) => ({ type: 'not', child: partial(field) });
      });
      return negated !== FAILED ? negated : this.listOfValues();
    });
  }

  // ---- literals --------------------------------------------------------------------------------------------------

  private value(): Result<PartialQuery> {
    return this.memo(Rule.Value, () =>
      this.named('value', () => {
        const value = this.scanLiteral();
        return value === FAILED ? FAILED : (field: KqlField | null): KqlNode => ({ type: 'is', field, value });
      }),
    );
  }

  private literal(): Result<KqlValue> {
    return this.memo(Rule.Literal, () => this.named('literal', () => this.scanLiteral()));
  }

  private field(): Result<KqlField> {
    return this.memo(Rule.Field, () => this.named('fieldName', () => this.literal()));
  }

  private scanLiteral(): Result<KqlValue> {
    const scanned = scanQuotedString(this.text, this.position) ?? scanUnquotedLiteral(this.text, this.position, this.probeSpace);
    if (scanned === undefined) return FAILED;
    this.position = scanned.end;
    return scanned.node;
  }
}

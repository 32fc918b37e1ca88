/**
 * A recursive-descent parser for the EQL Elasticsearch runs (its EqlBase grammar, 8.x): event queries,
 * `sequence` with `by`, `with maxspan=…`, `until`, per-stage `by`, `with runs=N` and missing-event stages `![…]`,
 * and the `head` / `tail` pipes. What Elasticsearch's verifier would reject before running the query (unknown
 * functions, wrong argument counts, join keys that are not fields, unsupported pipes, `join`, `sample`…) is
 * rejected here too, with the line and column of the offending text.
 */
import type {
  ComparisonOperator,
  EqlEventFilter,
  EqlExpression,
  EqlField,
  EqlLiteral,
  EqlMaxspan,
  EqlPipe,
  EqlQuery,
  EqlSequenceStage,
  PatternOperator,
} from './ast';
import { childrenOf } from './ast';
import { compileCidrBlock } from './cidr';
import { FUNCTION_NAMES, functionSignature } from './function-signatures';
import { translateLuceneRegex } from './lucene-regex';
import { EqlSyntaxError } from './syntax-error';
import { type EqlToken, tokenize } from './tokenizer';
import { closestName } from '../rules/closest-name';

/** Deepest nesting of parentheses, `not` and unary signs accepted (no query comes close; it bounds recursion). */
export const MAX_NESTING_DEPTH = 128;

/** Lower-case keywords of Elasticsearch's lexer: they cannot be field names unless backquoted. */
const KEYWORDS = new Set([
  'and', 'any', 'by', 'false', 'fork', 'in', 'in~', 'join', 'like', 'like~', 'maxspan', 'not', 'null', 'of', 'or',
  'regex', 'regex~', 'sample', 'sequence', 'true', 'until', 'where', 'with',
]);

const COMPARISON_OPERATORS = new Set<string>(['==', '!=', '<', '<=', '>', '>=']);
const TIME_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MAX_RUNS = 100;

export function parseEql(text: string): EqlQuery {
  return new Parser(text).query();
}

class Parser {
  private readonly tokens: EqlToken[];
  private position = 0;
  private depth = 0;

  constructor(private readonly text: string) {
    this.tokens = tokenize(text);
  }

  query(): EqlQuery {
    const first = this.peek();
    if (first.type === 'end') this.fail(first, 'the query is empty; write `category where condition` or `sequence [ … ] [ … ]`');
    let query: EqlQuery;
    if (this.isWord('sequence')) {
      query = this.sequence();
    } else if (this.isWord('join') || this.isWord('sample')) {
      this.fail(first, `${(first as { text: string }).text} queries are not supported (Elasticsearch runs event queries and sequences)`);
    } else {
      query = { kind: 'event', text: this.text, filter: this.eventFilter(), pipes: [] };
    }
    const pipes = this.pipes();
    const end = this.peek();
    if (end.type !== 'end') this.unexpected(end, "'and', 'or', '|' (a pipe) or the end of the query");
    return { ...query!, pipes };
  }

  // --- queries -------------------------------------------------------------------------------------------------

  private sequence(): EqlQuery {
    this.next(); // sequence
    const by = this.isWord('by') ? this.joinKeys() : [];
    let maxspan: EqlMaxspan | undefined;
    if (this.isWord('with')) {
      this.next();
      this.expectWord('maxspan', "'maxspan' (sequence with maxspan=…)");
      this.expectOperator('=');
      maxspan = this.timeUnit();
      if (this.isWord('by')) this.fail(this.peek(), 'write the sequence `by` keys before `with maxspan=…`, not after');
    }
    const stages: EqlSequenceStage[] = [];
    while (this.isOperator('[') || this.isOperator('![')) stages.push(this.stage());
    if (stages.length < 2) {
      this.unexpected(this.peek(), stages.length === 0 ? "'[' (the first sequence stage)" : "'[' (a sequence needs at least two stages)");
    }
    let until: EqlSequenceStage | undefined;
    if (this.isWord('until')) {
      const untilToken = this.next();
      until = this.stage();
      if (until.missing) this.fail(untilToken, 'an until stage cannot be a missing event (![…])');
      if (until.runs !== 1) this.fail(untilToken, 'an until stage cannot repeat (with runs=…)');
    }
    this.checkSequence(by, stages, until, maxspan);
    return { kind: 'sequence', text: this.text, by, ...(maxspan ? { maxspan } : {}), stages, ...(until ? { until } : {}), pipes: [] };
  }

  private checkSequence(by: readonly EqlField[], stages: readonly EqlSequenceStage[], until: EqlSequenceStage | undefined, maxspan: EqlMaxspan | undefined): void {
    const keyCount = stages[0].by.length;
    for (const stage of [...stages, ...(until ? [until] : [])]) {
      if (stage.by.length !== keyCount) {
        this.failAt(stage.start, `inconsistent number of join keys: the first stage has ${keyCount + by.length}, this one has ${stage.by.length + by.length}`);
      }
    }
    if (stages.every((stage) => stage.missing)) this.failAt(stages[0].start, 'a sequence needs at least one stage that is not a missing event (![…])');
    const firstMissing = stages.find((stage) => stage.missing);
    if (firstMissing && !maxspan) {
      this.failAt(firstMissing.start, 'a sequence with missing events (![…]) needs `with maxspan=…`, which bounds how long to wait for them');
    }
  }

  private stage(): EqlSequenceStage {
    const open = this.next();
    const missing = (open as { text: string }).text === '![';
    const filter = this.eventFilter();
    this.expectOperator(']');
    const by = this.isWord('by') ? this.joinKeys() : [];
    let runs = 1;
    if (this.isWord('with')) {
      this.next();
      const key = this.peek();
      if (key.type !== 'identifier' || key.text !== 'runs') this.unexpected(key, "'runs' ([…] with runs=N)");
      this.next();
      this.expectOperator('=');
      const count = this.next();
      if (count.type !== 'number' || count.double || count.value < 1 || count.value > MAX_RUNS) {
        this.fail(count, `runs must be a whole number from 1 to ${MAX_RUNS}`);
      }
      runs = (count as { value: number }).value;
    }
    return { filter, by, runs, missing, start: open.start, end: this.previousEnd() };
  }

  private eventFilter(): EqlEventFilter {
    const token = this.next();
    let category: string | null;
    if (token.type === 'identifier' && token.text === 'any') category = null;
    else if (token.type === 'identifier' && !KEYWORDS.has(token.text)) category = token.text;
    else if (token.type === 'escapedIdentifier' || token.type === 'string') category = token.type === 'string' ? token.value : token.text;
    else return this.unexpected(token, "an event category (such as 'process', or 'any') followed by 'where'");
    this.expectWord('where', "'where' after the event category");
    const condition = this.expression();
    this.checkFilterTerms(condition);
    return { category, condition, start: token.start, end: condition.end };
  }

  /**
   * Elasticsearch turns each term of a filter into a query against constants, and rejects a comparison whose two
   * sides both read fields ("Comparisons against fields are not (currently) supported"). Inside function
   * arguments the comparison is part of a script and allowed. Optional fields may turn out to be absent (null),
   * so only required fields count.
   */
  private checkFilterTerms(expression: EqlExpression): void {
    switch (expression.kind) {
      case 'and':
      case 'or':
        expression.operands.forEach((operand) => this.checkFilterTerms(operand));
        break;
      case 'not':
        this.checkFilterTerms(expression.operand);
        break;
      case 'compare':
        if (readsRequiredField(expression.left) && readsRequiredField(expression.right)) {
          this.failAt(expression.start, `comparisons between two fields are not supported by Elasticsearch: compare ${describeSide(expression.left)} with a constant, or use a function such as stringContains()`);
        }
        break;
      default:
        break;
    }
  }

  private joinKeys(): EqlField[] {
    this.next(); // by
    const keys: EqlField[] = [];
    do {
      const key = this.expression();
      if (key.kind !== 'field') this.failAt(key.start, 'a join key must be a field name');
      keys.push(key as EqlField);
    } while (this.acceptOperator(','));
    return keys;
  }

  private timeUnit(): EqlMaxspan {
    const number = this.next();
    if (number.type !== 'number' || number.double) this.fail(number, 'maxspan takes a whole number and a unit, such as 15m or 500ms');
    const value = (number as { value: number }).value;
    const unit = this.peek();
    if (unit.type !== 'identifier' || unit.start !== number.end || !(unit.text in TIME_UNITS)) {
      this.fail(unit.start === number.end ? unit : number, `maxspan needs a unit directly after the number: ms, s, m, h or d (for example ${value}s)`);
    }
    this.next();
    if (value <= 0) this.fail(number, 'maxspan must be greater than zero');
    const unitText = (unit as { text: string }).text;
    return { milliseconds: value * TIME_UNITS[unitText], text: `${value}${unitText}` };
  }

  private pipes(): EqlPipe[] {
    const pipes: EqlPipe[] = [];
    while (this.acceptOperator('|')) {
      const name = this.next();
      if (name.type !== 'identifier') this.unexpected(name, 'a pipe name (head or tail)');
      const kind = (name as { text: string }).text;
      if (kind !== 'head' && kind !== 'tail') {
        this.fail(name, `the ${kind} pipe is not supported: Elasticsearch runs only | head N and | tail N`);
      }
      const count = this.next();
      if (count.type !== 'number' || count.double || count.value < 1) this.fail(count, `| ${kind} takes a whole number greater than zero`);
      pipes.push({ kind: kind as EqlPipe['kind'], count: (count as { value: number }).value, start: name.start, end: count.end });
    }
    return pipes;
  }

  // --- expressions ---------------------------------------------------------------------------------------------

  private expression(): EqlExpression {
    return this.or();
  }

  private or(): EqlExpression {
    const operands = [this.and()];
    while (this.acceptWord('or')) operands.push(this.and());
    return operands.length === 1 ? operands[0] : { kind: 'or', operands, start: operands[0].start, end: operands[operands.length - 1].end };
  }

  private and(): EqlExpression {
    const operands = [this.not()];
    while (this.acceptWord('and')) operands.push(this.not());
    return operands.length === 1 ? operands[0] : { kind: 'and', operands, start: operands[0].start, end: operands[operands.length - 1].end };
  }

  private not(): EqlExpression {
    const token = this.peek();
    if (token.type === 'identifier' && token.text === 'not') {
      this.next();
      const operand = this.nested(() => this.not());
      return { kind: 'not', operand, start: token.start, end: operand.end };
    }
    if (token.type === 'identifier' && this.peekAt(1).type === 'identifier' && (this.peekAt(1) as { text: string }).text === 'of') {
      this.fail(token, `'${token.text} of' (process lineage) is not supported by Elasticsearch's EQL`);
    }
    return this.comparison();
  }

  private comparison(): EqlExpression {
    let left = this.additive();
    for (let token = this.peek(); token.type === 'operator'; token = this.peek()) {
      if (token.text === '=') this.fail(token, "use '==' to compare ('=' only appears in maxspan=… and runs=…)");
      if (!COMPARISON_OPERATORS.has(token.text)) break;
      this.next();
      const right = this.additive();
      left = { kind: 'compare', operator: token.text as ComparisonOperator, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private additive(): EqlExpression {
    let left = this.multiplicative();
    for (let token = this.peek(); token.type === 'operator' && (token.text === '+' || token.text === '-'); token = this.peek()) {
      this.next();
      const right = this.multiplicative();
      left = { kind: 'arithmetic', operator: token.text as '+' | '-', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private multiplicative(): EqlExpression {
    let left = this.unary();
    for (let token = this.peek(); token.type === 'operator' && (token.text === '*' || token.text === '/' || token.text === '%'); token = this.peek()) {
      this.next();
      const right = this.unary();
      left = { kind: 'arithmetic', operator: token.text as '*' | '/' | '%', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private unary(): EqlExpression {
    const token = this.peek();
    if (token.type === 'operator' && (token.text === '-' || token.text === '+')) {
      this.next();
      const operand = this.nested(() => this.unary());
      if (token.text === '+') return { ...operand, start: token.start };
      // A negative number literal is a literal, as Elasticsearch's optimizer folds it.
      if (operand.kind === 'literal' && typeof operand.value === 'number') return { ...operand, value: -operand.value, start: token.start };
      return { kind: 'negate', operand, start: token.start, end: operand.end };
    }
    return this.predicate(this.primary());
  }

  /** `x in (…)`, `x not in (…)`, `x in~ (…)`, `x : "a*"`, `x like~ ("a", "b")`, `x regex "…"`. */
  private predicate(value: EqlExpression): EqlExpression {
    const token = this.peek();
    const negated = token.type === 'identifier' && token.text === 'not' && this.isWordAt(1, 'in', 'in~');
    if (negated) this.next();
    const operator = this.peek();
    if (operator.type === 'identifier' && (operator.text === 'in' || operator.text === 'in~')) {
      this.next();
      this.expectOperator('(');
      const list: EqlExpression[] = [];
      do list.push(this.nested(() => this.expression()));
      while (this.acceptOperator(','));
      const close = this.expectOperator(')');
      return { kind: 'in', value, list, caseInsensitive: operator.text === 'in~', negated, start: value.start, end: close.end };
    }
    const patternOperator = this.patternOperator(operator);
    if (!patternOperator) return value;
    this.next();
    const patterns: EqlLiteral[] = [];
    let end: number;
    if (this.acceptOperator('(')) {
      do patterns.push(this.patternConstant(patternOperator.operator));
      while (this.acceptOperator(','));
      end = this.expectOperator(')').end;
    } else {
      patterns.push(this.patternConstant(patternOperator.operator));
      end = patterns[0].end;
    }
    return { kind: 'pattern', ...patternOperator, value, patterns, start: value.start, end };
  }

  private patternOperator(token: EqlToken): { operator: PatternOperator; caseInsensitive: boolean } | undefined {
    if (token.type === 'operator' && token.text === ':') return { operator: ':', caseInsensitive: true };
    if (token.type !== 'identifier') return undefined;
    switch (token.text) {
      case 'like':
      case 'like~':
        return { operator: 'like', caseInsensitive: token.text === 'like~' };
      case 'regex':
      case 'regex~':
        return { operator: 'regex', caseInsensitive: token.text === 'regex~' };
      default:
        return undefined;
    }
  }

  private patternConstant(operator: PatternOperator): EqlLiteral {
    const token = this.peek();
    const literal = this.constant();
    if (!literal) return this.unexpected(token, `a constant after '${operator}' (patterns cannot be fields or expressions)`);
    if (operator !== ':' && typeof literal.value !== 'string') this.fail(token, `${operator} takes string patterns`);
    if (operator === 'regex') {
      const problem = translateLuceneRegex(literal.value as string, false).problem;
      if (problem) this.fail(token, `invalid regular expression: ${problem}`);
    }
    return literal;
  }

  private primary(): EqlExpression {
    const token = this.peek();
    const constant = this.constant();
    if (constant) return constant;
    if (token.type === 'operator' && token.text === '(') {
      this.next();
      const inner = this.nested(() => this.expression());
      this.expectOperator(')');
      return inner;
    }
    if (token.type === 'identifier' && !KEYWORDS.has(token.text) && this.peekAt(1).type === 'operator' && (this.peekAt(1) as { text: string }).text === '(') {
      return this.functionCall();
    }
    if (token.type === 'identifier' || token.type === 'escapedIdentifier' || (token.type === 'operator' && token.text === '?')) {
      return this.field();
    }
    return this.unexpected(token, 'a field, a value, a function call or (');
  }

  private constant(): EqlLiteral | undefined {
    const token = this.peek();
    if (token.type === 'string') {
      this.next();
      return { kind: 'literal', value: token.value, start: token.start, end: token.end };
    }
    if (token.type === 'number') {
      this.next();
      return { kind: 'literal', value: token.value, ...(token.double ? { double: true } : {}), start: token.start, end: token.end };
    }
    if (token.type === 'identifier' && (token.text === 'true' || token.text === 'false' || token.text === 'null')) {
      this.next();
      const value = token.text === 'null' ? null : token.text === 'true';
      return { kind: 'literal', value, start: token.start, end: token.end };
    }
    return undefined;
  }

  private field(): EqlField {
    const start = this.peek().start;
    const optional = this.acceptOperator('?');
    const parts = [this.identifier()];
    while (true) {
      if (this.isOperator('.')) {
        this.next();
        parts.push(this.identifier());
      } else if (this.isOperator('[') && this.peekAt(1).type === 'number') {
        this.fail(this.peek(), 'array indexes (field[0]) are not supported by Elasticsearch');
      } else {
        break;
      }
    }
    return { kind: 'field', name: parts.join('.'), optional, start, end: this.previousEnd() };
  }

  private identifier(): string {
    const token = this.next();
    if (token.type === 'escapedIdentifier') return token.text;
    if (token.type === 'identifier' && !KEYWORDS.has(token.text) && !token.text.endsWith('~')) return token.text;
    if (token.type === 'identifier' && KEYWORDS.has(token.text)) {
      this.fail(token, `'${token.text}' is a keyword: write a field named so in backquotes (\`${token.text}\`)`);
    }
    return this.unexpected(token, 'a field name');
  }

  private functionCall(): EqlExpression {
    const nameToken = this.next() as Extract<EqlToken, { type: 'identifier' }>;
    const caseInsensitive = nameToken.text.endsWith('~');
    const written = caseInsensitive ? nameToken.text.slice(0, -1) : nameToken.text;
    const signature = functionSignature(written);
    if (!signature) {
      const suggestion = closestName(written, FUNCTION_NAMES);
      this.fail(nameToken, `unknown function ${written}()${suggestion ? `; did you mean ${suggestion}()?` : ''}`);
    }
    const { name, minArgs, maxArgs, caseInsensitiveForm, constantArgsFrom } = signature!;
    if (caseInsensitive && !caseInsensitiveForm) this.fail(nameToken, `${name}() has no case-insensitive form (~)`);
    this.expectOperator('(');
    const args: EqlExpression[] = [];
    if (!this.isOperator(')')) {
      do args.push(this.nested(() => this.expression()));
      while (this.acceptOperator(','));
    }
    const close = this.expectOperator(')');
    if (args.length < minArgs || args.length > maxArgs) {
      const expected = minArgs === maxArgs ? `${minArgs}` : maxArgs === Infinity ? `at least ${minArgs}` : `${minArgs} to ${maxArgs}`;
      this.fail(nameToken, `${name}() takes ${expected} argument${expected === '1' ? '' : 's'}, not ${args.length}`);
    }
    if (constantArgsFrom !== undefined) {
      for (const arg of args.slice(constantArgsFrom)) {
        if (arg.kind !== 'literal' || typeof arg.value !== 'string') this.failAt(arg.start, `${name}() takes string constants from argument ${constantArgsFrom + 1} on`);
        if (name === 'cidrMatch' && !compileCidrBlock((arg as EqlLiteral).value as string)) {
          this.failAt(arg.start, `${JSON.stringify((arg as EqlLiteral).value)} is not an IPv4 or IPv6 CIDR block (such as 10.0.0.0/8)`);
        }
      }
    }
    return { kind: 'function', name, caseInsensitive, args, start: nameToken.start, end: close.end };
  }

  // --- token helpers -------------------------------------------------------------------------------------------

  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_NESTING_DEPTH) this.fail(this.peek(), `the query is nested more than ${MAX_NESTING_DEPTH} levels deep`);
    try {
      return parse();
    } finally {
      this.depth -= 1;
    }
  }

  private peek(): EqlToken {
    return this.tokens[this.position];
  }

  private peekAt(ahead: number): EqlToken {
    return this.tokens[Math.min(this.position + ahead, this.tokens.length - 1)];
  }

  private next(): EqlToken {
    const token = this.tokens[this.position];
    if (token.type !== 'end') this.position += 1;
    return token;
  }

  private previousEnd(): number {
    return this.tokens[Math.max(0, this.position - 1)].end;
  }

  private isWord(word: string): boolean {
    return this.isWordAt(0, word);
  }

  private isWordAt(ahead: number, ...words: string[]): boolean {
    const token = this.peekAt(ahead);
    return token.type === 'identifier' && words.includes(token.text);
  }

  private acceptWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.next();
    return true;
  }

  private expectWord(word: string, description: string): void {
    if (!this.acceptWord(word)) this.unexpected(this.peek(), description);
  }

  private isOperator(text: string): boolean {
    const token = this.peek();
    return token.type === 'operator' && token.text === text;
  }

  private acceptOperator(text: string): boolean {
    if (!this.isOperator(text)) return false;
    this.next();
    return true;
  }

  private expectOperator(text: string): EqlToken {
    if (!this.isOperator(text)) this.unexpected(this.peek(), `'${text}'`);
    return this.next();
  }

  private unexpected(token: EqlToken, expected: string): never {
    return this.fail(token, `expected ${expected} but found ${describeToken(token)}`);
  }

  private fail(token: EqlToken, problem: string): never {
    throw new EqlSyntaxError(this.text, token.start, problem);
  }

  private failAt(offset: number, problem: string): never {
    throw new EqlSyntaxError(this.text, offset, problem);
  }
}

function describeToken(token: EqlToken): string {
  switch (token.type) {
    case 'end':
      return 'the end of the query';
    case 'string':
      return `the string ${JSON.stringify(token.value.length > 30 ? `${token.value.slice(0, 29)}…` : token.value)}`;
    case 'number':
      return `the number ${token.text}`;
    case 'escapedIdentifier':
      return `\`${token.text}\``;
    default:
      return `'${token.text}'`;
  }
}

function readsRequiredField(expression: EqlExpression): boolean {
  return expression.kind === 'field' ? !expression.optional : childrenOf(expression).some(readsRequiredField);
}

function describeSide(expression: EqlExpression): string {
  return expression.kind === 'field' ? expression.name : 'the expression';
}

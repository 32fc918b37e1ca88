/**
 * Lucene regular expressions (what Elasticsearch's `regexp` query and EQL's `regex` run) translated into
 * JavaScript regular expressions with the same language:
 * - the pattern matches the whole value (anchored), `.` is any character, newlines included;
 * - quantifiers stack instead of being lazy: Lucene reads `.*?` as `(.*)?`, so every quantified atom is wrapped;
 * - `"…"` is a literal string, `\x` is the character x (and `\d \D \s \S \w \W` the classes Lucene 8.6+ knows),
 *   `@` is any string and `#` the empty language, `]` and `}` outside a class are ordinary characters;
 * - complement `~`, intersection `&` and intervals `<n-m>` have no JavaScript equivalent and are reported;
 * - `regex~` folds ASCII letters only (Lucene's ASCII_CASE_INSENSITIVE), so the translation spells both cases.
 */

export interface RegexTranslation {
  /** The JavaScript source, to be wrapped as `^(?:…)$` with the `su` flags. */
  readonly source?: string;
  readonly problem?: string;
}

const JS_SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));
const CLASS_SYNTAX = new Set('\\]-^['.split(''));
const SHORTHAND_CLASSES: Readonly<Record<string, string>> = {
  d: '0-9',
  s: '\\t\\n\\v\\f\\r ',
  w: '0-9A-Za-z_',
};

export function translateLuceneRegex(pattern: string, caseInsensitive: boolean): RegexTranslation {
  try {
    const translator = new Translator(pattern, caseInsensitive);
    const source = translator.union();
    if (translator.more()) translator.fail(`unexpected '${translator.current()}' at position ${translator.position + 1}`);
    return { source };
  } catch (error) {
    if (error instanceof RegexProblem) return { problem: error.message };
    throw error;
  }
}

/** The compiled matcher, or undefined when the pattern is invalid (the parser reports that first). */
export function compileLuceneRegex(pattern: string, caseInsensitive: boolean): RegExp | undefined {
  const { source } = translateLuceneRegex(pattern, caseInsensitive);
  return source === undefined ? undefined : new RegExp(`^(?:${source})$`, 'su');
}

class RegexProblem extends Error {}

class Translator {
  /** Code points, so astral characters are single atoms as in Lucene. */
  private readonly chars: string[];
  position = 0;

  constructor(
    pattern: string,
    private readonly caseInsensitive: boolean,
  ) {
    this.chars = Array.from(pattern);
  }

  more(): boolean {
    return this.position < this.chars.length;
  }

  current(): string {
    return this.chars[this.position];
  }

  fail(message: string): never {
    throw new RegexProblem(message);
  }

  union(): string {
    const branches = [this.concatenation()];
    while (this.more() && this.current() === '|') {
      this.position += 1;
      branches.push(this.concatenation());
    }
    return branches.join('|');
  }

  private concatenation(): string {
    let source = '';
    while (this.more() && this.current() !== '|' && this.current() !== ')') source += this.repeat();
    return source;
  }

  private repeat(): string {
    let atom = this.atom();
    while (this.more()) {
      const c = this.current();
      if (c === '*' || c === '+' || c === '?') {
        this.position += 1;
        atom = `(?:${atom})${c}`;
      } else if (c === '{') {
        atom = `(?:${atom})${this.bounds()}`;
      } else {
        break;
      }
    }
    return atom;
  }

  private bounds(): string {
    const start = this.position;
    this.position += 1;
    const min = this.digits();
    let text = min;
    if (this.more() && this.current() === ',') {
      this.position += 1;
      const max = this.digits();
      if (max !== '' && Number(max) < Number(min)) this.fail(`repetition {${min},${max}} has its maximum below its minimum`);
      text += `,${max}`;
    }
    if (min === '' || !this.more() || this.current() !== '}') this.fail(`malformed repetition at position ${start + 1} (write {n}, {n,} or {n,m})`);
    this.position += 1;
    return `{${text}}`;
  }

  private digits(): string {
    let text = '';
    while (this.more() && this.current() >= '0' && this.current() <= '9') {
      text += this.current();
      this.position += 1;
    }
    return text;
  }

  private atom(): string {
    const c = this.current();
    const at = this.position + 1;
    switch (c) {
      case '*':
      case '+':
      case '?':
      case '{':
        return this.fail(`'${c}' at position ${at} has nothing to repeat`);
      case '~':
      case '&':
        return this.fail(`the ${c === '~' ? 'complement (~)' : 'intersection (&)'} operator at position ${at} is not supported; escape it (\\${c}) to match the character`);
      case '<':
        return this.fail(`numeric intervals and named automata (<…>) at position ${at} are not supported; escape it (\\<) to match the character`);
      case '.':
        this.position += 1;
        return '.';
      case '@':
        this.position += 1;
        return '.*';
      case '#':
        this.position += 1;
        return '(?!)';
      case '"':
        return this.quoted();
      case '(':
        return this.group();
      case '[':
        return this.characterClass();
      case '\\':
        return this.escape(false);
      default:
        this.position += 1;
        return this.literal(c);
    }
  }

  private quoted(): string {
    const start = this.position;
    this.position += 1;
    let source = '';
    while (this.more() && this.current() !== '"') {
      source += this.literal(this.current());
      this.position += 1;
    }
    if (!this.more()) this.fail(`the quoted string at position ${start + 1} is never closed`);
    this.position += 1;
    return `(?:${source})`;
  }

  private group(): string {
    const start = this.position;
    this.position += 1;
    const inner = this.union();
    if (!this.more() || this.current() !== ')') this.fail(`the group opened at position ${start + 1} is never closed`);
    this.position += 1;
    return `(?:${inner})`;
  }

  private escape(inClass: boolean): string {
    this.position += 1;
    if (!this.more()) this.fail('the pattern ends with a lone backslash');
    const c = this.current();
    this.position += 1;
    const shorthand = SHORTHAND_CLASSES[c.toLowerCase()];
    if (shorthand !== undefined) {
      if (c === c.toLowerCase()) return inClass ? shorthand : `[${shorthand}]`;
      if (inClass) this.fail(`\\${c} cannot be used inside a character class`);
      return `[^${shorthand}]`;
    }
    return inClass ? this.classLiteral(c) : this.literal(c);
  }

  private characterClass(): string {
    const start = this.position;
    this.position += 1;
    const negated = this.more() && this.current() === '^';
    if (negated) this.position += 1;
    let body = '';
    let empty = true;
    while (this.more() && (this.current() !== ']' || empty)) {
      empty = false;
      const low = this.classCharacter();
      if (this.more() && this.current() === '-' && this.chars[this.position + 1] !== undefined && this.chars[this.position + 1] !== ']') {
        this.position += 1;
        const high = this.classCharacter();
        if (low.codePoint === undefined || high.codePoint === undefined) this.fail(`a class range at position ${start + 1} cannot use a shorthand class`);
        if (high.codePoint! < low.codePoint!) this.fail(`the class range at position ${start + 1} is reversed`);
        body += `${low.source}-${high.source}${this.mirroredRange(low.codePoint!, high.codePoint!)}`;
      } else {
        body += low.source + (low.codePoint === undefined ? '' : this.mirroredRange(low.codePoint, low.codePoint));
      }
    }
    if (!this.more()) this.fail(`the character class at position ${start + 1} is never closed`);
    this.position += 1;
    return `[${negated ? '^' : ''}${body}]`;
  }

  private classCharacter(): { source: string; codePoint?: number } {
    const c = this.current();
    if (c === '\\') {
      const next = this.chars[this.position + 1];
      const source = this.escape(true);
      return next !== undefined && SHORTHAND_CLASSES[next.toLowerCase()] !== undefined ? { source } : { source, codePoint: next.codePointAt(0) };
    }
    this.position += 1;
    return { source: this.classLiteral(c), codePoint: c.codePointAt(0) };
  }

  /** The other-case counterpart of the ASCII letters in [low, high], for case-insensitive classes. */
  private mirroredRange(low: number, high: number): string {
    if (!this.caseInsensitive) return '';
    let extra = '';
    for (const [from, to, shift] of [
      [0x61, 0x7a, -32],
      [0x41, 0x5a, 32],
    ]) {
      const a = Math.max(low, from);
      const b = Math.min(high, to);
      if (a <= b) extra += `${String.fromCodePoint(a + shift)}-${String.fromCodePoint(b + shift)}`;
    }
    return extra;
  }

  private literal(c: string): string {
    if (this.caseInsensitive && /^[A-Za-z]$/.test(c)) return `[${c.toLowerCase()}${c.toUpperCase()}]`;
    return JS_SYNTAX.has(c) ? `\\${c}` : c;
  }

  private classLiteral(c: string): string {
    return CLASS_SYNTAX.has(c) ? `\\${c}` : c;
  }
}

/**
 * The two wildcard dialects of EQL, compiled to text matchers over whole values:
 * - EQL patterns (`:` and `like`): `*` is any run of characters, `?` one character, and nothing escapes them
 *   (Elasticsearch turns them into a LIKE pattern whose escape character cannot occur), so a backslash is a
 *   backslash: `"*\\red_ttp\\*"` matches Windows paths;
 * - Lucene wildcards (what `stringContains(field, "…")` and `endsWith(field, "…")` become): `*` and `?` as above,
 *   and `\` makes the next character literal (a trailing `\` is itself).
 */
import { compileWildcard as compileStarPattern } from '../kql/wildcard';

export type TextMatcher = (text: string) => boolean;

export const STAR = Symbol('*');
export const ANY_CHARACTER = Symbol('?');

/** Literal runs and wildcards, in order. Consecutive stars are kept as written (they match the same). */
export type WildcardToken = string | typeof STAR | typeof ANY_CHARACTER;

export function eqlPatternTokens(pattern: string): WildcardToken[] {
  return wildcardTokens(pattern, false);
}

export function luceneWildcardTokens(pattern: string): WildcardToken[] {
  return wildcardTokens(pattern, true);
}

function wildcardTokens(pattern: string, escapes: boolean): WildcardToken[] {
  const tokens: WildcardToken[] = [];
  let literal = '';
  const characters = Array.from(pattern);
  for (let i = 0; i < characters.length; i++) {
    const character = characters[i];
    if (escapes && character === '\\' && i + 1 < characters.length) {
      literal += characters[++i];
    } else if (character === '*' || character === '?') {
      if (literal !== '') tokens.push(literal);
      literal = '';
      tokens.push(character === '*' ? STAR : ANY_CHARACTER);
    } else {
      literal += character;
    }
  }
  if (literal !== '') tokens.push(literal);
  return tokens;
}

export function hasWildcard(tokens: readonly WildcardToken[]): boolean {
  return tokens.some((token) => typeof token !== 'string');
}

/** The text a wildcard-free token list spells. */
export function tokensText(tokens: readonly WildcardToken[]): string {
  return tokens.filter((token): token is string => typeof token === 'string').join('');
}

/**
 * A matcher for the whole value. Star-only patterns use indexOf-based matching (linear, no backtracking blow-up on
 * `*a*a*a*b`); patterns with `?` use a regular expression over code points.
 */
export function compileWildcardTokens(tokens: readonly WildcardToken[], caseInsensitive: boolean): TextMatcher {
  const fold = (text: string) => (caseInsensitive ? text.toLowerCase() : text);
  if (!tokens.includes(ANY_CHARACTER)) {
    if (!tokens.includes(STAR)) {
      const text = fold(tokensText(tokens));
      return caseInsensitive ? (value) => value.toLowerCase() === text : (value) => value === text;
    }
    const segments: string[] = [''];
    for (const token of tokens) {
      if (token === STAR) segments.push('');
      else segments[segments.length - 1] += fold(token as string);
    }
    const matches = compileStarPattern(segments);
    return caseInsensitive ? (value) => matches(value.toLowerCase()) : matches;
  }
  const source = tokens
    .map((token) => (token === STAR ? '.*' : token === ANY_CHARACTER ? '.' : escapeRegExp(token)))
    .join('');
  const expression = new RegExp(`^${source}$`, caseInsensitive ? 'isu' : 'su');
  return (value) => expression.test(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

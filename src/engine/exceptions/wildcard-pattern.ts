/**
 * Kibana's "matches" operator (an Elasticsearch `wildcard` query): `*` is any run of characters (possibly empty),
 * `?` exactly one character, a backslash makes the next character literal (`\*`, `\?`, `\\`). The pattern must
 * match the whole value, case-sensitively, character by character (code points, not UTF-16 units).
 *
 * Not a regular expression: the value comes from the event, and a regex such as `^.*a.*a.*a.*b$` backtracks
 * catastrophically on a long run of `a`s. Segments between `*`s are placed leftmost, which is always safe when `*`
 * is the only variable-length wildcard, so the cost stays polynomial and small (as in the KQL matcher).
 */
export interface WildcardPattern {
  test(text: string): boolean;
}

/** One character of a segment: a literal code point, or null for `?`. */
type Token = string | null;

const cache = new Map<string, WildcardPattern>();

export function wildcardPattern(value: string): WildcardPattern {
  let compiled = cache.get(value);
  if (compiled) return compiled;
  compiled = compile(splitSegments(value));
  if (cache.size < 10_000) cache.set(value, compiled);
  return compiled;
}

function splitSegments(value: string): Token[][] {
  const characters = Array.from(value);
  const segments: Token[][] = [[]];
  for (let i = 0; i < characters.length; i += 1) {
    const c = characters[i];
    const current = segments[segments.length - 1];
    if (c === '\\' && i + 1 < characters.length) current.push(characters[++i]);
    else if (c === '*') segments.push([]);
    else if (c === '?') current.push(null);
    else current.push(c);
  }
  return segments;
}

function compile(segments: Token[][]): WildcardPattern {
  const first = segments[0];
  if (segments.length === 1) {
    return { test: (text) => fitsAt(Array.from(text), 0, first) && Array.from(text).length === first.length };
  }
  const last = segments[segments.length - 1];
  const middle = segments.slice(1, -1).filter((segment) => segment.length > 0);
  return {
    test(text) {
      const characters = Array.from(text);
      const end = characters.length - last.length;
      if (end < first.length || !fitsAt(characters, 0, first) || !fitsAt(characters, end, last)) return false;
      let cursor = first.length;
      for (const segment of middle) {
        let placed = -1;
        for (let at = cursor; at + segment.length <= end; at += 1) {
          if (fitsAt(characters, at, segment)) {
            placed = at;
            break;
          }
        }
        if (placed < 0) return false;
        cursor = placed + segment.length;
      }
      return true;
    },
  };
}

function fitsAt(characters: readonly string[], at: number, segment: readonly Token[]): boolean {
  if (at < 0 || at + segment.length > characters.length) return false;
  for (let i = 0; i < segment.length; i += 1) {
    const token = segment[i];
    if (token !== null && token !== characters[at + i]) return false;
  }
  return true;
}

/**
 * Matching of KQL `*` patterns. Only `*` is special (`?` is literal), the whole text must match and `*` spans
 * newlines. Segments are located with indexOf (leftmost placement is always safe for `*`-only patterns), so the
 * cost stays linear-ish where an equivalent regex can backtrack catastrophically on patterns like `*a*a*a*b`.
 */
export type TextMatcher = (text: string) => boolean;

/** `segments` are the literal parts between the `*`s: `a*b` is `['a', 'b']`; at least two segments. */
export function compileWildcard(segments: readonly string[]): TextMatcher {
  const prefix = segments[0];
  const suffix = segments[segments.length - 1];
  const middle = segments.slice(1, -1).filter((segment) => segment.length > 0);
  const fixedLength = prefix.length + suffix.length;

  if (middle.length === 0) {
    if (fixedLength === 0) return () => true;
    return (text) => text.length >= fixedLength && text.startsWith(prefix) && text.endsWith(suffix);
  }
  return (text) => {
    if (text.length < fixedLength || !text.startsWith(prefix) || !text.endsWith(suffix)) return false;
    const limit = text.length - suffix.length;
    let cursor = prefix.length;
    for (const segment of middle) {
      const found = text.indexOf(segment, cursor);
      if (found < 0 || found + segment.length > limit) return false;
      cursor = found + segment.length;
    }
    return true;
  };
}

/** A lone `*`: matches anything, which for a value means "exists". */
export function isLoneWildcard(segments: readonly string[]): boolean {
  return segments.length === 2 && segments[0] === '' && segments[1] === '';
}

/**
 * Kibana's "matches" operator (an Elasticsearch `wildcard` query): `*` is any run of characters (possibly empty),
 * `?` exactly one character, a backslash makes the next character literal (`\*`, `\?`, `\\`). The pattern must
 * match the whole value, case-sensitively, character by character (code points, not UTF-16 units).
 *
 * Not a regular expression: the value comes from the event, and a regex such as `^.*a.*a.*a.*b$` backtracks
 * catastrophically on a long run of `a`s. Segments between `*`s are placed leftmost, which is always safe when `*`
 * is the only variable-length wildcard, and each search starts where the previous segment ended, so the value is
 * read once from left to right. A segment of literal characters is found with `indexOf` (V8's string search, linear
 * in the value); a segment holding `?` with a bit-parallel (shift-and) scan over code points, whose cost per character
 * is one machine word per 32 characters of the segment. Either way the time is linear in the value's length, never
 * value length × segment length (a 1 MB user agent against a long segment took 23 s when segments were compared at
 * every offset).
 */
export interface WildcardPattern {
  test(text: string): boolean;
}

/** One character of a segment: a literal code point, or null for `?`. */
type Token = string | null;

/** A segment between two `*`s, with what its search needs. */
interface Segment {
  readonly tokens: readonly Token[];
  /** The segment as text when it holds no `?`: searched with indexOf. */
  readonly literal?: string;
  /** For a segment with `?`: the shift-and automaton. */
  readonly automaton?: ShiftAnd;
}

const cache = new Map<string, WildcardPattern>();

export function wildcardPattern(value: string): WildcardPattern {
  let compiled = cache.get(value);
  if (compiled) return compiled;
  compiled = compile(splitSegments(value).map(toSegment));
  if (cache.size < 10_000) cache.set(value, compiled);
  return compiled;
}

function splitSegments(value: string): Token[][] {
  const characters = Array.from(value);
  const segments: Token[][] = [[]];
  for (let i = 0; i < characters.length; i += 1) {
    const c = characters[i] as string;
    const current = segments[segments.length - 1] as Token[];
    if (c === '\\' && i + 1 < characters.length) current.push(characters[++i] as string);
    else if (c === '*') segments.push([]);
    else if (c === '?') current.push(null);
    else current.push(c);
  }
  return segments;
}

function toSegment(tokens: Token[]): Segment {
  if (tokens.every((token) => token !== null)) return { tokens, literal: tokens.join('') };
  return { tokens, automaton: new ShiftAnd(tokens) };
}

function compile(segments: Segment[]): WildcardPattern {
  const first = segments[0] as Segment;
  if (segments.length === 1) return { test: (text) => matchAt(text, 0, first.tokens) === text.length };
  const last = segments[segments.length - 1] as Segment;
  const middle = segments.slice(1, -1).filter((segment) => segment.tokens.length > 0);
  return {
    test(text) {
      const start = matchAt(text, 0, first.tokens);
      if (start < 0) return false;
      const end = startOfLast(text, last.tokens.length);
      if (end < start || matchAt(text, end, last.tokens) !== text.length) return false;
      let cursor = start;
      for (const segment of middle) {
        cursor = segment.literal !== undefined ? findLiteral(text, cursor, end, segment.literal) : (segment.automaton as ShiftAnd).findEnd(text, cursor, end);
        if (cursor < 0) return false;
      }
      return true;
    },
  };
}

/** The UTF-16 index just after `tokens` matched at `at` (code point by code point), or -1. */
function matchAt(text: string, at: number, tokens: readonly Token[]): number {
  let index = at;
  for (const token of tokens) {
    if (index >= text.length) return -1;
    const codePoint = text.codePointAt(index) as number;
    const width = codePoint > 0xffff ? 2 : 1;
    if (token !== null && token !== text.slice(index, index + width)) return -1;
    index += width;
  }
  return index;
}

/** The UTF-16 index where the last `count` code points of `text` start, or -1 when it has fewer. */
function startOfLast(text: string, count: number): number {
  let index = text.length;
  for (let n = 0; n < count; n += 1) {
    if (index <= 0) return -1;
    index -= index >= 2 && isLowSurrogate(text.charCodeAt(index - 1)) && isHighSurrogate(text.charCodeAt(index - 2)) ? 2 : 1;
  }
  return index;
}

/** End (UTF-16 index) of the leftmost occurrence of `literal` in text[from, limit), or -1. */
function findLiteral(text: string, from: number, limit: number, literal: string): number {
  let found = text.indexOf(literal, from);
  // A match may not start in the middle of a surrogate pair (only possible for a segment starting with a lone low half).
  while (found > 0 && isLowSurrogate(text.charCodeAt(found)) && isHighSurrogate(text.charCodeAt(found - 1))) found = text.indexOf(literal, found + 1);
  return found < 0 || found + literal.length > limit ? -1 : found + literal.length;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/**
 * Shift-and (Baeza-Yates–Gonnet) for one segment with `?`: bit i of the state says the first i + 1 tokens match the
 * code points just read. One pass over the text, `words` 32-bit operations per code point.
 */
class ShiftAnd {
  private readonly words: number;
  private readonly length: number;
  /** Masks of the code points below 128, by code point: the bits of the positions holding it or `?`. */
  private readonly asciiMasks: number[][] = [];
  /** Masks of the other code points the segment names. */
  private readonly otherMasks = new Map<number, number[]>();
  /** Mask of a code point the segment does not name: the `?` positions only. */
  private readonly anyMask: number[];

  constructor(tokens: readonly Token[]) {
    this.length = tokens.length;
    this.words = Math.ceil(tokens.length / 32);
    this.anyMask = new Array<number>(this.words).fill(0);
    tokens.forEach((token, position) => {
      if (token === null) this.anyMask[position >>> 5] = ((this.anyMask[position >>> 5] as number) | (1 << (position & 31))) >>> 0;
    });
    for (let codePoint = 0; codePoint < 128; codePoint += 1) this.asciiMasks.push(this.anyMask);
    tokens.forEach((token, position) => {
      if (token === null) return;
      const codePoint = token.codePointAt(0) as number;
      let mask = this.maskOf(codePoint);
      if (mask === this.anyMask) {
        mask = [...this.anyMask];
        if (codePoint < 128) this.asciiMasks[codePoint] = mask;
        else this.otherMasks.set(codePoint, mask);
      }
      mask[position >>> 5] = ((mask[position >>> 5] as number) | (1 << (position & 31))) >>> 0;
    });
  }

  private maskOf(codePoint: number): number[] {
    return (codePoint < 128 ? this.asciiMasks[codePoint] : this.otherMasks.get(codePoint)) ?? this.anyMask;
  }

  /** End (UTF-16 index) of the leftmost match starting at or after `from` and ending by `limit`, or -1. */
  findEnd(text: string, from: number, limit: number): number {
    const words = this.words;
    const state = new Array<number>(words).fill(0);
    const lastWord = (this.length - 1) >>> 5;
    const lastBit = 1 << ((this.length - 1) & 31);
    // Words above `active` are all zero: a partial match reaches word w only after 32·w matching code points, so
    // where the segment's start does not fit, each code point costs one word, not ⌈length/32⌉.
    let active = 0;
    let index = from;
    while (index < limit) {
      const unit = text.charCodeAt(index);
      let codePoint = unit;
      if (unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length) {
        const low = text.charCodeAt(index + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          codePoint = (unit - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
          index += 1;
        }
      }
      index += 1;
      const mask = this.maskOf(codePoint);
      // state = ((state << 1) | 1) & mask, across words (carry from the top bit of each word into the next).
      let carry = 1;
      const top = active + 1 < words ? active + 1 : words - 1;
      active = 0;
      for (let word = 0; word <= top; word += 1) {
        const value = state[word] as number;
        const next = (((value << 1) | carry) & (mask[word] as number)) >>> 0;
        state[word] = next;
        if (next !== 0) active = word;
        carry = value >>> 31;
      }
      if (((state[lastWord] as number) & lastBit) !== 0) return index <= limit ? index : -1;
    }
    return -1;
  }
}

/**
 * A pre-filter on the raw text of a CloudTrail log object `{"Records":[...]}`: records that no loaded rule can match
 * are never JSON-parsed. It is sound, never complete:
 *
 * - Needles come from the rule index's own proof (`requiredValues`) over the fields a record holds verbatim
 *   (INDEXED_FIELDS: `event.action`, `event.provider`, `aws.cloudtrail.user_identity.type`, the user agent, ...):
 *   for each rule, its narrowest demand whose raw form is certain (see `needleFor`); a rule with none disables the
 *   pre-filter. A record whose `eventName` is X holds the text `"X"` (JSON's canonical escaping), one whose user
 *   agent contains Y holds Y escaped, unless one of its strings uses a non-canonical escape (`\uXXXX` or `\/`); such
 *   records are parsed.
 * - The whole text is validated strictly as JSON by the splitter (same grammar as JSON.parse), so a malformed object
 *   is handed back (undefined) and takes the ordinary full-parse path, which reports the error and its position.
 *   So does any shape other than one top-level object with one unescaped `"Records"` key holding an array.
 * - Elements that are not objects are always parsed (their error is reported as before).
 */
import type { CompiledRule } from '../rules/detection-rule';
import { INDEXED_FIELDS, NEEDLE_COST } from '../rule-index/record-keys';
import { breadth, requiredValues } from '../rule-index/required-values';

export interface RawPrefilter {
  /** Raw-text fragments, one of which a record must contain to be parsed. */
  readonly needles: readonly string[];
}

/** The pre-filter for these rules, or undefined when some rule could match a record whatever its raw text. */
export function createRawPrefilter(rules: readonly Pick<CompiledRule, 'ast'>[]): RawPrefilter | undefined {
  if (rules.length === 0) return undefined;
  const needles = new Set<string>();
  for (const rule of rules) {
    const own = needlesForRule(rule);
    if (own === undefined) return undefined;
    for (const needle of own) needles.add(needle);
  }
  return { needles: [...needles] };
}

/** The rules without needles: each would turn the pre-filter off (they can match whatever a record's raw text). */
export function rulesWithoutNeedles<R extends Pick<CompiledRule, 'ast'>>(rules: readonly R[]): R[] {
  return rules.filter((rule) => needlesForRule(rule) === undefined);
}

/** Texts one of which every record the rule can match holds: from its narrowest demand that has a certain raw form. */
function needlesForRule(rule: Pick<CompiledRule, 'ast'>): string[] | undefined {
  let best: { needles: string[]; cost: number } | undefined;
  for (const field of INDEXED_FIELDS.keys()) {
    const demand = requiredValues(rule.ast, field);
    const cost = breadth(demand) * (NEEDLE_COST.get(field) ?? 1);
    if (demand === 'any' || (best !== undefined && cost >= best.cost)) continue;
    const needles = [
      ...demand.exact.map((value) => needleFor(value, 'exact')),
      ...demand.prefixes.map((prefix) => needleFor(prefix, 'prefix')),
      ...(demand.contains ?? []).map((part) => needleFor(part, 'contains')),
    ];
    if (needles.every((needle) => needle !== undefined)) best = { needles: needles as string[], cost };
  }
  return best?.needles;
}

/**
 * The text a raw record must contain if its keyword field equals (starts with, contains) `value`, or undefined when
 * that cannot be promised: a number or boolean field also becomes keyword text ("123", "1.0E7", "true"), and lone
 * surrogates may be written raw or escaped. JSON.stringify escapes character by character, so the escaped form of a
 * part is inside the escaped form of any string containing it.
 */
function needleFor(value: string, kind: 'exact' | 'prefix' | 'contains'): string | undefined {
  if (value === '' || /[\ud800-\udfff]/.test(value)) return undefined;
  const literals = ['true', 'false', 'null'];
  if (kind === 'contains') {
    if (/^[-+.0-9eE]*$/.test(value) || literals.some((literal) => literal.includes(value))) return undefined;
    return JSON.stringify(value).slice(1, -1);
  }
  if (/^[-0-9]/.test(value)) return undefined;
  if (kind === 'prefix' ? literals.some((literal) => literal.startsWith(value)) : literals.includes(value)) return undefined;
  const quoted = JSON.stringify(value);
  return kind === 'prefix' ? quoted.slice(0, -1) : quoted;
}

const searches = new Map<string, RegExp>();

/** The needles as one regular expression, compiled once per needle list (a filter is plain data, for the workers). */
function searchOf(filter: RawPrefilter): RegExp {
  const key = filter.needles.join('\u0000');
  let search = searches.get(key);
  if (search === undefined) {
    search = new RegExp(filter.needles.map((needle) => needle.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'), 'g');
    searches.set(key, search);
  }
  return search;
}

/** One element of the `Records` array: where its raw text is, and whether it must be parsed. */
export interface RawRecordSlice {
  readonly index: number;
  readonly start: number;
  readonly end: number;
}

export interface PrefilterResult {
  /** Total elements of `Records`. */
  readonly total: number;
  /** The elements to parse, in order; every other element is an object that no rule can match. */
  readonly keep: readonly RawRecordSlice[];
}

/**
 * Splits and validates `text`; undefined when the text is not a valid JSON object with a single `"Records"` array
 * (the caller then parses it in full, as without the pre-filter).
 */
export function prefilterRecords(text: string, filter: RawPrefilter): PrefilterResult | undefined {
  const split = splitRecordsArray(text);
  if (split === undefined) return undefined;
  const { starts, ends, mustParse } = split;
  const total = starts.length;
  const marked = new Uint8Array(total);
  for (let k = 0; k < total; k += 1) if (mustParse[k] === 1 || text.charCodeAt(starts[k] as number) !== 0x7b) marked[k] = 1;
  // One pass for all needles (a regular expression of them: far faster than one indexOf pass per needle), trying
  // every start position, and skipping to the end of an element once it is kept.
  const search = searchOf(filter);
  let element = 0;
  search.lastIndex = 0;
  for (let found = search.exec(text); found !== null; found = search.exec(text)) {
    const at = found.index;
    while (element < total && (ends[element] as number) <= at) element += 1;
    if (element === total) break;
    if ((starts[element] as number) <= at) {
      marked[element] = 1;
      search.lastIndex = ends[element] as number;
    } else search.lastIndex = at + 1;
  }
  const keep: RawRecordSlice[] = [];
  for (let k = 0; k < total; k += 1) if (marked[k] === 1) keep.push({ index: k, start: starts[k] as number, end: ends[k] as number });
  return { total, keep };
}

interface RecordsArray {
  readonly starts: number[];
  readonly ends: number[];
  /** 1 where the element holds a non-canonical string escape (`\uXXXX`, `\/`). */
  readonly mustParse: number[];
}

// The validator's state: module-level for speed (a single-threaded, non-reentrant scan).
let t = '';
let i = 0;
let oddEscape = false;
/** True when the text has no raw control character at all, so a string's end can be found with indexOf. */
let noControls = false;
/** Position of the next backslash at or after the scan (-1: none left), kept for the indexOf fast path. */
let nextBackslash = -1;
const CONTROL = /[\u0000-\u001f]/;

/** Strictly validates `text` as JSON (RFC 8259, as JSON.parse) and cuts out the elements of its top-level `Records`. */
export function splitRecordsArray(text: string): RecordsArray | undefined {
  t = text;
  i = 0;
  noControls = !CONTROL.test(text);
  nextBackslash = text.indexOf('\\');
  try {
    return topLevel();
  } catch {
    return undefined; // nesting too deep for the stack: the full parse decides
  } finally {
    t = '';
  }
}

function topLevel(): RecordsArray | undefined {
  skipWs();
  if (t.charCodeAt(i) !== 0x7b) return undefined;
  i += 1;
  skipWs();
  let result: RecordsArray | undefined;
  if (t.charCodeAt(i) === 0x7d) return undefined;
  for (;;) {
    if (t.charCodeAt(i) !== 0x22) return undefined;
    const keyStart = i + 1;
    oddEscape = false;
    if (!string()) return undefined;
    const key = t.slice(keyStart, i - 1);
    if (key.includes('\\')) return undefined;
    skipWs();
    if (t.charCodeAt(i) !== 0x3a) return undefined;
    i += 1;
    skipWs();
    if (key === 'Records') {
      if (result !== undefined || t.charCodeAt(i) !== 0x5b) return undefined;
      result = recordsArray();
      if (result === undefined) return undefined;
    } else if (!value()) return undefined;
    skipWs();
    const c = t.charCodeAt(i);
    i += 1;
    if (c === 0x2c) {
      skipWs();
      continue;
    }
    if (c !== 0x7d) return undefined;
    break;
  }
  skipWs();
  return i === t.length ? result : undefined;
}

function recordsArray(): RecordsArray | undefined {
  const starts: number[] = [];
  const ends: number[] = [];
  const mustParse: number[] = [];
  i += 1;
  skipWs();
  if (t.charCodeAt(i) === 0x5d) {
    i += 1;
    return { starts, ends, mustParse };
  }
  for (;;) {
    const start = i;
    oddEscape = false;
    if (!value()) return undefined;
    starts.push(start);
    ends.push(i);
    mustParse.push(oddEscape ? 1 : 0);
    skipWs();
    const c = t.charCodeAt(i);
    i += 1;
    if (c === 0x2c) {
      skipWs();
      continue;
    }
    return c === 0x5d ? { starts, ends, mustParse } : undefined;
  }
}

function skipWs(): void {
  const s = t;
  let j = i;
  for (;;) {
    const c = s.charCodeAt(j);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) j += 1;
    else break;
  }
  i = j;
}

function value(): boolean {
  const c = t.charCodeAt(i);
  switch (c) {
    case 0x7b:
      return object();
    case 0x5b:
      return array();
    case 0x22:
      return string();
    case 0x74:
      return literal('true');
    case 0x66:
      return literal('false');
    case 0x6e:
      return literal('null');
    default:
      return number();
  }
}

function object(): boolean {
  i += 1;
  skipWs();
  if (t.charCodeAt(i) === 0x7d) {
    i += 1;
    return true;
  }
  for (;;) {
    if (t.charCodeAt(i) !== 0x22 || !string()) return false;
    skipWs();
    if (t.charCodeAt(i) !== 0x3a) return false;
    i += 1;
    skipWs();
    if (!value()) return false;
    skipWs();
    const c = t.charCodeAt(i);
    i += 1;
    if (c === 0x2c) {
      skipWs();
      continue;
    }
    return c === 0x7d;
  }
}

function array(): boolean {
  i += 1;
  skipWs();
  if (t.charCodeAt(i) === 0x5d) {
    i += 1;
    return true;
  }
  for (;;) {
    if (!value()) return false;
    skipWs();
    const c = t.charCodeAt(i);
    i += 1;
    if (c === 0x2c) {
      skipWs();
      continue;
    }
    return c === 0x5d;
  }
}

/** At an opening quote; true with `i` just past the closing quote when the string is valid. Locals for speed. */
function string(): boolean {
  const s = t;
  let j = i + 1;
  if (noControls) {
    const close = s.indexOf('"', j);
    if (close === -1) return false;
    if (nextBackslash !== -1 && nextBackslash < j) nextBackslash = s.indexOf('\\', j);
    if (nextBackslash === -1 || nextBackslash > close) {
      i = close + 1;
      return true;
    }
  }
  for (;;) {
    const c = s.charCodeAt(j);
    j += 1;
    if (c === 0x22) {
      i = j;
      return true;
    }
    if (c === 0x5c) {
      const e = s.charCodeAt(j);
      j += 1;
      if (e === 0x22 || e === 0x5c || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) continue;
      if (e === 0x2f) {
        oddEscape = true;
        continue;
      }
      if (e !== 0x75) return false;
      for (let k = 0; k < 4; k += 1) {
        const h = s.charCodeAt(j + k);
        if (!((h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66))) return false;
      }
      j += 4;
      oddEscape = true;
      continue;
    }
    if (!(c >= 0x20)) return false; // a raw control character, or the end of the text (NaN)
  }
}

function literal(word: string): boolean {
  if (!t.startsWith(word, i)) return false;
  i += word.length;
  return true;
}

/** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
function number(): boolean {
  const start = i;
  if (t.charCodeAt(i) === 0x2d) i += 1;
  let c = t.charCodeAt(i);
  if (c === 0x30) i += 1;
  else if (c >= 0x31 && c <= 0x39) i = digits(i);
  else return false;
  if (t.charCodeAt(i) === 0x2e) {
    const after = digits(i + 1);
    if (after === i + 1) return false;
    i = after;
  }
  c = t.charCodeAt(i);
  if (c === 0x65 || c === 0x45) {
    i += 1;
    c = t.charCodeAt(i);
    if (c === 0x2b || c === 0x2d) i += 1;
    const after = digits(i);
    if (after === i) return false;
    i = after;
  }
  return i > start;
}

function digits(from: number): number {
  let j = from;
  for (;;) {
    const c = t.charCodeAt(j);
    if (c >= 0x30 && c <= 0x39) j += 1;
    else return j;
  }
}

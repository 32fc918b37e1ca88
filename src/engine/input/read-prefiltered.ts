import type { CompiledRule } from '../rules/detection-rule';
import { isCloudTrailDigestPath } from './cloudtrail-digest';
import { gunzipIfCompressed } from './decompress';
import type { PreparedContent } from './prepare-content';
import type { InputItem } from './input-item';
import { hasJsonLinesName } from './json-lines';
import { createRawPrefilter, prefilterRecords, type RawPrefilter } from './raw-prefilter';
import { readRecords } from './read-records';

/** Records of a CloudTrail log object left unparsed because no rule can match them; they still count as scanned. */
export interface UnmatchedRecords {
  readonly kind: 'unmatched';
  readonly source: string;
  readonly count: number;
}

/**
 * A CloudTrail log object after the pre-filter: how many records it holds, and the raw text of those some rule might
 * match (each a JSON object, by index). Plain data, so a worker thread can compute it.
 */
export interface PrefilteredContent {
  readonly total: number;
  readonly kept: readonly { readonly index: number; readonly original: string }[];
}

const UTF8 = new TextDecoder('utf-8'); // as readRecords: drops a leading byte-order mark

const prefilters = new WeakMap<readonly CompiledRule[], RawPrefilter | undefined>();

/** The pre-filter for a rule list, derived once per list; undefined when it cannot apply. */
export function prefilterForRules(rules: readonly CompiledRule[]): RawPrefilter | undefined {
  if (!prefilters.has(rules)) prefilters.set(rules, createRawPrefilter(rules));
  return prefilters.get(rules);
}

/**
 * Decodes and pre-filters one input's inflated content; undefined when it must be read by `readRecords` instead (a
 * digest or JSON Lines name, anything but a valid `{"Records":[...]}` object whose kept records are objects).
 */
export function prefilterContent(content: Uint8Array | string, source: string, filter: RawPrefilter): PrefilteredContent | undefined {
  if (isCloudTrailDigestPath(source) || hasJsonLinesName(source)) return undefined;
  let text: string;
  if (typeof content === 'string') text = content.startsWith('\uFEFF') ? content.slice(1) : content;
  else {
    try {
      text = UTF8.decode(content);
    } catch {
      return undefined; // too large for a string: readRecords reports it
    }
  }
  const result = prefilterRecords(text, filter);
  if (result === undefined || result.keep.some((slice) => text.charCodeAt(slice.start) !== 0x7b)) return undefined;
  return { total: result.total, kept: result.keep.map((slice) => ({ index: slice.index, original: text.slice(slice.start, slice.end) })) };
}

/**
 * The records of one prepared input (prepareContent): for a pre-filtered CloudTrail log object, the records some rule
 * might match, and the others as one `unmatched` count; otherwise `readRecords` over the inflated content (salvaging
 * up to the cut when it is incomplete). Every record that could alert, every error (with its position) and every
 * skipped part comes out exactly as from `readRecords`.
 */
export function* readPreparedRecords(prepared: PreparedContent, source: string): Generator<InputItem | UnmatchedRecords> {
  const result = prepared.prefiltered;
  if (result === undefined) {
    yield* readRecords(prepared.bytes ?? new Uint8Array(0), source, { complete: prepared.complete });
    return;
  }
  for (const { index, original } of result.kept) {
    yield { kind: 'record', record: JSON.parse(original) as object, original, source, position: `Records[${index}]` };
  }
  const unmatched = result.total - result.kept.length;
  if (unmatched > 0) yield { kind: 'unmatched', source, count: unmatched };
}

/** `readPreparedRecords` for content at hand (tests, tools): inflated and pre-filtered here, synchronously. */
export function* readRecordsForRules(content: Uint8Array | string, source: string, rules: readonly CompiledRule[]): Generator<InputItem | UnmatchedRecords> {
  const filter = prefilterForRules(rules);
  let result: PrefilteredContent | undefined;
  try {
    result = filter === undefined ? undefined : prefilterContent(typeof content === 'string' ? content : gunzipIfCompressed(content), source, filter);
  } catch {
    result = undefined; // readRecords reports the gzip error
  }
  if (result === undefined) {
    yield* readRecords(content, source);
    return;
  }
  yield* readPreparedRecords({ notes: [], complete: true, prefiltered: result }, source);
}

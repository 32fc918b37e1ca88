import type { CompiledRule } from '../rules/detection-rule';
import { isCloudTrailDigestPath } from './cloudtrail-digest';
import { gunzipIfCompressed } from './decompress';
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

/** Results computed ahead (by worker threads), keyed by the content they belong to; each is taken once. */
const precomputed = new WeakMap<Uint8Array, PrefilteredContent | null>();

/** Hands `readRecordsForRules` the result of `prefilterContent` for this content (null: use readRecords). */
export function rememberPrefiltered(content: Uint8Array, result: PrefilteredContent | null): void {
  precomputed.set(content, result);
}

function takePrecomputed(content: Uint8Array | string): PrefilteredContent | null | undefined {
  if (typeof content === 'string' || !precomputed.has(content)) return undefined;
  const result = precomputed.get(content);
  precomputed.delete(content);
  return result;
}

const prefilters = new WeakMap<readonly CompiledRule[], RawPrefilter | undefined>();

/** The pre-filter for a rule list, derived once per list; undefined when it cannot apply. */
export function prefilterForRules(rules: readonly CompiledRule[]): RawPrefilter | undefined {
  if (!prefilters.has(rules)) prefilters.set(rules, createRawPrefilter(rules));
  return prefilters.get(rules);
}

/**
 * Decompresses, decodes and pre-filters one input; undefined when it must be read by `readRecords` instead (a digest
 * or JSON Lines name, broken gzip, anything but a valid `{"Records":[...]}` object whose kept records are objects).
 */
export function prefilterContent(content: Uint8Array | string, source: string, filter: RawPrefilter): PrefilteredContent | undefined {
  if (isCloudTrailDigestPath(source) || hasJsonLinesName(source)) return undefined;
  let text: string;
  if (typeof content === 'string') {
    text = content.startsWith('\uFEFF') ? content.slice(1) : content;
  } else {
    try {
      text = UTF8.decode(gunzipIfCompressed(content));
    } catch {
      return undefined; // readRecords reports the gzip error
    }
  }
  const result = prefilterRecords(text, filter);
  if (result === undefined || result.keep.some((slice) => text.charCodeAt(slice.start) !== 0x7b)) return undefined;
  return { total: result.total, kept: result.keep.map((slice) => ({ index: slice.index, original: text.slice(slice.start, slice.end) })) };
}

/**
 * `readRecords`, except that the records of a CloudTrail log object that none of `rules` can match are not parsed:
 * they come out as one `unmatched` count instead of record items. Every record that could alert, every error (with
 * its position) and every skipped part comes out exactly as from `readRecords`. `prefiltered`: the result of
 * `prefilterContent` for this content when already computed; null when that found it unsuitable. When not given, a
 * result remembered for this content (by the worker pool) is used, else it is computed here.
 */
export function* readRecordsForRules(
  content: Uint8Array | string,
  source: string,
  rules: readonly CompiledRule[],
  prefiltered?: PrefilteredContent | null,
): Generator<InputItem | UnmatchedRecords> {
  const filter = prefilterForRules(rules);
  const ahead = prefiltered === undefined ? takePrecomputed(content) : prefiltered;
  const result = filter === undefined || ahead === null ? undefined : ahead ?? prefilterContent(content, source, filter);
  if (result === undefined) {
    yield* readRecords(content, source);
    return;
  }
  for (const { index, original } of result.kept) {
    yield { kind: 'record', record: JSON.parse(original) as object, original, source, position: `Records[${index}]` };
  }
  const unmatched = result.total - result.kept.length;
  if (unmatched > 0) yield { kind: 'unmatched', source, count: unmatched };
}

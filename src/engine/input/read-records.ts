import { isCloudTrailDigestPath } from './cloudtrail-digest';
import { itemsFromJsonValue } from './cloudtrail-items';
import { gunzipIfCompressed } from './decompress';
import type { InputItem } from './input-item';
import { hasJsonLinesName, looksLikeJsonLines, readJsonLines } from './json-lines';
import { parseErrorItem } from './parse-error-item';
import { salvageRecords } from './salvage-records';

const UTF8 = new TextDecoder('utf-8'); // drops a leading byte-order mark, which JSON.parse would reject

/**
 * Reads one input file (its bytes, or its text) into CloudTrail records, errors and skipped parts, in file order.
 * `source` names the file in messages and decides nothing except digest paths (`CloudTrail-Digest/`) and JSON Lines
 * names (`.jsonl`, `.ndjson`); gzip is recognised by its magic bytes.
 *
 * Accepts: a CloudTrail log `{"Records": [...]}` (plain or gzipped), a single record, an EventBridge event wrapping a
 * record, a JSON array of records or events, and JSON Lines of any of these. An empty file holds no records.
 */
export function* readRecords(content: Uint8Array | string, source: string, options: { readonly complete?: boolean } = {}): Generator<InputItem> {
  const complete = options.complete ?? true;
  if (isCloudTrailDigestPath(source)) {
    yield { kind: 'skipped', source, position: '', reason: 'cloudtrail-digest' };
    return;
  }
  let text: string;
  if (typeof content === 'string') {
    text = content.startsWith('\uFEFF') ? content.slice(1) : content;
  } else {
    try {
      text = UTF8.decode(gunzipIfCompressed(content));
    } catch (error) {
      yield { kind: 'error', source, position: '', message: describeReadError(error) };
      return;
    }
  }
  if (text.trim() === '') return;
  if (!complete) {
    // The content stops early (its cut was reported where it was found): the records before the cut still count.
    yield* salvageRecords(text, source);
    return;
  }
  if (hasJsonLinesName(source)) {
    yield* readJsonLines(text, source);
    return;
  }

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (looksLikeJsonLines(text)) yield* readJsonLines(text, source);
    else yield parseErrorItem(text, error, source);
    return;
  }
  yield* itemsFromJsonValue(value, text.trim(), source, '');
}

/** A nested gzip that inflates past the limit is a RangeError from zlib, not damage. */
function describeReadError(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ERR_BUFFER_TOO_LARGE') return 'holds a gzip stream that inflates past the per-object limit (--max-object-size); not read';
  if (code === 'ERR_STRING_TOO_LONG') return 'is too large to read as text; lower --max-object-size below 512 MiB';
  return `cannot decompress gzip data: ${(error as Error).message}`;
}

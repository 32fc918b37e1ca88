import { itemsFromJsonValue } from './cloudtrail-items';
import type { InputItem } from './input-item';
import { hasJsonLinesName, readJsonLines } from './json-lines';

/**
 * The records of an object whose content stops early (a damaged or cut gzip stream, or the size limit): what was
 * read before the cut is scanned, so that one broken byte does not discard every intact record before it. The cut
 * itself has been reported (with its byte offset) by whoever found it; the incomplete last record is not reported
 * again.
 *
 * - JSON Lines (by name, or any text that is not one JSON document): every complete line.
 * - A CloudTrail log `{"Records": [...` or a top-level array `[...`: every complete element before the cut.
 * - Anything else (one object cut short): nothing.
 */
export function* salvageRecords(text: string, source: string): Generator<InputItem> {
  const records = /^\s*\{\s*"Records"\s*:\s*\[/.exec(text);
  const array = records === null ? /^\s*\[/.exec(text) : null;
  if (!hasJsonLinesName(source) && (records !== null || array !== null)) {
    const start = (records ?? array)![0].length;
    let index = 0;
    for (const raw of completeElements(text, start)) {
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        return; // damaged text: stop at the first element that does not parse
      }
      const position = records !== null ? `Records[${index}]` : `[${index}]`;
      if (records !== null && typeof value === 'object' && value !== null && !Array.isArray(value)) {
        yield { kind: 'record', record: value, original: raw, source, position };
      } else yield* itemsFromJsonValue(value, raw, source, position);
      index += 1;
    }
    return;
  }
  // JSON Lines: the last line is where the cut is; it is dropped rather than reported a second time.
  const lastBreak = text.lastIndexOf('\n');
  if (lastBreak < 0) return;
  yield* readJsonLines(text.slice(0, lastBreak + 1), source);
}

/** Raw texts of the elements of the array whose first element may start at `start`, up to the first incomplete one. */
function* completeElements(text: string, start: number): Generator<string> {
  let at = skipWhitespace(text, start);
  while (at < text.length && text[at] !== ']') {
    const end = valueEnd(text, at);
    if (end < 0) return;
    yield text.slice(at, end);
    at = skipWhitespace(text, end);
    if (text[at] !== ',') return;
    at = skipWhitespace(text, at + 1);
  }
}

/** Index just after the JSON value starting at `at`, or -1 when the text ends first. Iterative: no depth limit. */
function valueEnd(text: string, at: number): number {
  let depth = 0;
  let index = at;
  do {
    const c = text.charCodeAt(index);
    if (c === 0x22) {
      index += 1;
      while (index < text.length && text.charCodeAt(index) !== 0x22) index += text.charCodeAt(index) === 0x5c ? 2 : 1;
      if (index >= text.length) return -1;
      index += 1;
    } else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      index += 1;
    } else if (c === 0x7d || c === 0x5d) {
      depth -= 1;
      index += 1;
    } else if (depth === 0) {
      // A scalar at the top: up to the next delimiter.
      while (index < text.length && !',]} \t\r\n'.includes(text[index] as string)) index += 1;
      return index < text.length ? index : -1;
    } else index += 1;
  } while (depth > 0 && index < text.length);
  return depth === 0 ? index : -1;
}

function skipWhitespace(text: string, at: number): number {
  let index = at;
  while (index < text.length && ' \t\r\n'.includes(text[index] as string)) index += 1;
  return index;
}

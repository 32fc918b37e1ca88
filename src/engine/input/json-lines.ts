import { itemsFromJsonValue } from './cloudtrail-items';
import type { InputItem } from './input-item';
import { parseErrorItem } from './parse-error-item';

/**
 * JSON Lines: one JSON value per line; blank lines are ignored. A line that does not parse is one error, and the other
 * lines still count. Each line may be anything a whole file may be (record, envelope, CloudTrail log, array).
 */
export function* readJsonLines(text: string, source: string): Generator<InputItem> {
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = (lines[index] as string).replace(/\r$/, '');
    if (line.trim() === '') continue;
    const position = `line ${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      yield parseErrorItem(line, error, source, index + 1);
      continue;
    }
    yield* itemsFromJsonValue(value, line.trim(), source, position);
  }
}

/**
 * Decides, after a whole-file JSON.parse failed, whether the file is JSON Lines with some bad lines rather than one
 * broken JSON document. A pretty-printed document has almost no lines that are complete objects on their own; JSON
 * Lines has almost only such lines.
 */
export function looksLikeJsonLines(text: string): boolean {
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  if (lines.length < 2) return false;
  const isWholeValue = (line: string): boolean => {
    if (!line.startsWith('{') && !line.startsWith('[')) return false;
    try {
      JSON.parse(line);
      return true;
    } catch {
      return false;
    }
  };
  if (isWholeValue(lines[0] as string)) return true;
  let whole = 0;
  for (const line of lines) if (isWholeValue(line)) whole += 1;
  return whole * 2 >= lines.length;
}

/** Names that promise JSON Lines even when the file happens to have a single line. */
export function hasJsonLinesName(name: string): boolean {
  return /\.(jsonl|ndjson)(\.gz)?$/i.test(name);
}

import type { InputError } from './input-item';
import { findJsonSyntaxError } from './json-syntax-error';
import { formatLineColumn, locateOffset } from './text-location';

/**
 * The error for text JSON.parse rejected, located at `line N, column M`. `firstLine` is the line number of the text's
 * first line in the file (a JSON Lines line is parsed on its own).
 */
export function parseErrorItem(text: string, parseError: unknown, source: string, firstLine = 1): InputError {
  const syntaxError = findJsonSyntaxError(text);
  if (syntaxError === undefined) {
    // Only if our scanner and V8 ever disagree: keep V8's word, at the line we know.
    const message = parseError instanceof Error ? parseError.message : String(parseError);
    return { kind: 'error', source, position: `line ${firstLine}`, message: `invalid JSON: ${message}` };
  }
  const location = locateOffset(text, syntaxError.offset);
  return {
    kind: 'error',
    source,
    position: formatLineColumn({ line: location.line + firstLine - 1, column: location.column }),
    message: `invalid JSON: ${syntaxError.message}`,
  };
}

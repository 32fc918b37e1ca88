import { escapeUnsafeInJson, sanitizeInline } from '../engine/alerts/sanitize-text';
import { RuleFileError } from '../engine/rules/rule-file-error';

/**
 * Text for one line written to a terminal. File names, S3 keys, rule names and exception list ids come from whoever
 * wrote the files or named the objects; printed raw, ESC or BEL in one could retitle or clear the terminal, and a
 * newline could forge a summary line. They get the escaping event values get in alerts (`\u{1b}`, visible), never
 * shortened: a path must stay whole to be found again.
 */
export function printable(text: string): string {
  return sanitizeInline(text, Number.MAX_SAFE_INTEGER);
}

/**
 * An error message for stderr, each of its lines made printable. A RuleFileError is rebuilt from its parts, so that a
 * newline inside the file name is escaped rather than taken for one of the message's own line breaks.
 */
export function printableError(error: unknown): string {
  if (error instanceof RuleFileError) {
    const [first = '', ...rest] = error.message.slice(error.file.length).split('\n');
    return [`${printable(error.file)}${printable(first)}`, ...rest.map(printable)].join('\n');
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n').map(printable).join('\n');
}

/**
 * One JSON line for a terminal: the value's JSON with every character `printable` would escape written as a JSON
 * `\uXXXX` escape (JSON.stringify leaves DEL, C1 controls, bidi and zero-width characters raw). It parses back to the
 * same value.
 */
export function printableJson(value: unknown): string {
  return escapeUnsafeInJson(JSON.stringify(value));
}

import { sanitizeInline } from './sanitize-text';

/** The e-mail's line width: fits a phone in portrait and the 78 characters mail standards ask for (RFC 5322). */
export const EMAIL_WIDTH = 78;

const NO_BREAK = '\u00a0';
const URL = /^https?:\/\//;

/**
 * An event value for running text (a sentence, a subject): sanitized to one line and never broken across lines, so
 * an attacker-chosen name cannot start a line of its own; quoted when it holds spaces, so it cannot pass for the
 * surrounding words.
 */
export function eventValue(value: string, maxLength = 200): string {
  const safe = sanitizeInline(value, maxLength);
  return /\s/.test(safe) ? `"${safe.replace(/\s/g, NO_BREAK)}"` : safe;
}

export interface WrapOptions {
  readonly width?: number;
  /** Put before the first line. */
  readonly firstIndent?: string;
  /** Put before every further line. */
  readonly indent?: string;
}

/**
 * Wraps text at spaces into lines of at most `width` characters. A word longer than a line is cut into pieces
 * (after a `/`, `:` or `,` where possible), except a URL, which stays whole on its own line: a cut URL cannot be
 * opened. Words joined by `eventValue` are never separated.
 */
export function wrap(text: string, options: WrapOptions = {}): string[] {
  const width = options.width ?? EMAIL_WIDTH;
  const firstIndent = options.firstIndent ?? '';
  const indent = options.indent ?? '';
  const lines: string[] = [];
  let line = firstIndent;
  let lineHasWord = false;
  const flush = (): void => {
    lines.push(line);
    line = indent;
    lineHasWord = false;
  };
  for (const word of text.split(' ').filter((part) => part !== '')) {
    const separator = lineHasWord ? ' ' : '';
    if (line.length + separator.length + word.length <= width) {
      line += separator + word;
      lineHasWord = true;
      continue;
    }
    if (lineHasWord) flush();
    if (line.length + word.length <= width || URL.test(word)) {
      line += word;
      lineHasWord = true;
      continue;
    }
    // One word longer than a whole line: cut it into pieces that fill the lines.
    let rest = word;
    while (line.length + rest.length > width) {
      const room = Math.max(1, width - line.length);
      const piece = cutPoint(rest, room);
      line += rest.slice(0, piece);
      rest = rest.slice(piece);
      flush();
    }
    line += rest;
    lineHasWord = rest !== '';
  }
  if (lineHasWord || lines.length === 0) lines.push(line);
  return lines.map((wrapped) => wrapped.replace(/\u00a0/g, ' ').replace(/\s+$/, ''));
}

/** Where to cut a long word to fit `room`: after the last `/`, `:`, `,` or `-` in the second half, else at `room`. */
function cutPoint(word: string, room: number): number {
  const window = word.slice(0, room);
  const last = Math.max(window.lastIndexOf('/'), window.lastIndexOf(':'), window.lastIndexOf(','), window.lastIndexOf('-'));
  return last >= room / 2 ? last + 1 : room;
}

/** Width of the label column of detail lines (`Sub-technique:` is the longest label). */
export const LABEL_WIDTH = 14;

/**
 * `Label:        value`, the value wrapped under itself. A value that is one long word (an ARN, a URL) goes on the
 * next lines instead, indented by two, where it has the most room.
 */
export function labelledLines(label: string, value: string, width = EMAIL_WIDTH): string[] {
  const head = `${`${label}:`.padEnd(LABEL_WIDTH)} `;
  const valueIndent = ' '.repeat(head.length);
  const singleWord = !/ /.test(value.replace(/\u00a0/g, '').trim());
  if (singleWord && head.length + value.length > width) {
    return [`${label}:`, ...wrap(value, { width, firstIndent: '  ', indent: '  ' })];
  }
  return wrap(value, { width, firstIndent: head, indent: valueIndent });
}

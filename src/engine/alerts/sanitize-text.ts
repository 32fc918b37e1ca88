/**
 * Event values are attacker-controlled: anyone who can call an AWS API chooses snapshot names, session names and
 * user agents. Before such a value is shown to a person it must not be able to add lines, reorder text (bidi
 * overrides), hide text (zero-width characters) or drive a terminal (escape sequences). Such characters are shown
 * as visible `\u{...}` escapes rather than removed, so the reader sees that something was there.
 */
const UNSAFE_CHARACTERS =
  // C0 and C1 controls and DEL; bidi marks, embeddings, overrides and isolates; zero-width characters;
  // line and paragraph separators; byte-order mark; interlinear annotation; Unicode tag characters (U+E0000-E007F,
  // invisible, used to smuggle hidden text); lone surrogates.
  /[\u0000-\u001f\u007f-\u009f\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\ufff9-\ufffb]|\udb40[\udc00-\udc7f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Makes a value safe to print on one line of an alert, capped at `maxLength` characters. */
export function sanitizeInline(value: string, maxLength = 300): string {
  const escaped = value.replace(UNSAFE_CHARACTERS, (character) => `\\u{${(character.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}}`);
  return truncate(escaped, maxLength);
}

/**
 * The stricter form used in e-mail subjects: printable ASCII only. SNS rejects subjects with control characters,
 * and mail clients render non-ASCII subjects inconsistently.
 */
export function sanitizeForSubject(value: string, maxLength: number): string {
  const ascii = value.replace(/\s+/g, ' ').replace(/[^\x20-\x7e]/g, '?').trim();
  return ascii.length <= maxLength ? ascii : `${ascii.slice(0, Math.max(0, maxLength - 3))}...`;
}

/** Cuts text to `maxLength` characters with a visible marker saying how much was cut. */
export function truncate(value: string, maxLength: number): string {
  if (value.length <= maxLength) return value;
  const removed = value.length - maxLength;
  let cut = value.slice(0, maxLength);
  // Never split a surrogate pair: half an emoji is an invalid character in the e-mail.
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}… [${removed} more characters cut]`;
}

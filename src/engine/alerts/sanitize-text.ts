/**
 * Event values are attacker-controlled: anyone who can call an AWS API chooses snapshot names, session names and
 * user agents. Before such a value is shown to a person it must not be able to add lines, reorder text (bidi
 * overrides), hide text (zero-width characters, variation selectors, tag characters) or drive a terminal (escape
 * sequences). Such characters are shown as visible `\u{...}` escapes rather than removed, so the reader sees that
 * something was there.
 *
 * The set comes from Unicode's own data, through the runtime's property escapes, not from a hand list that falls
 * behind each Unicode release: every control (Cc), every format character (Cf: bidi controls, soft hyphen, the
 * invisible musical and shorthand format controls, tags), line and paragraph separators (Zl, Zp), every
 * Default_Ignorable_Code_Point (what renderers draw as nothing: zero-width characters, the combining grapheme joiner,
 * all variation selectors including U+E0100-E01EF, Hangul fillers, reserved ignorables), lone surrogates (Cs, only
 * ever unpaired in a u-mode match), and U+2800 BRAILLE PATTERN BLANK, a symbol that renders as blank space and is
 * used to fake empty names.
 */
const UNSAFE_CHARACTERS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Default_Ignorable_Code_Point}\u2800]/gu;

/** Makes a value safe to print on one line of an alert, capped at `maxLength` characters. */
export function sanitizeInline(value: string, maxLength = 300): string {
  const escaped = value.replace(UNSAFE_CHARACTERS, (character) => `\\u{${(character.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}}`);
  return truncate(escaped, maxLength);
}

/**
 * JSON text (as JSON.stringify writes it: such characters occur only inside strings) with every unsafe character
 * written as a JSON `\uXXXX` escape, code unit by code unit: the same value, safe on one terminal line.
 */
export function escapeUnsafeInJson(json: string): string {
  return json.replace(UNSAFE_CHARACTERS, (character) =>
    Array.from({ length: character.length }, (_, index) => `\\u${character.charCodeAt(index).toString(16).padStart(4, '0')}`).join(''),
  );
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

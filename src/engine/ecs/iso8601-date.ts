/**
 * Date parsing as the pipeline's `date` processors do it, rendered like their default output
 * format (`yyyy-MM-dd'T'HH:mm:ss.SSSZ` in UTC, e.g. 2019-10-02T22:12:29.000Z). Invalid calendar
 * values (Feb 30, hour 25) are rejected, as Java's strict resolver does.
 */

const ISO8601 =
  /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:T(\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$/;
/** Elasticsearch's basic_date_time(_no_millis): 20131102T010628Z, 20131102T010628.123Z. */
const BASIC_DATE_TIME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/;

function offsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 18 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}

function toIsoString(fields: (string | undefined)[]): string | undefined {
  const [year, month = '1', day = '1', hour = '0', minute = '0', second = '0', fraction = '', zone] = fields;
  if (year === undefined) return undefined;
  const numbers = [Number(year), Number(month), Number(day), Number(hour), Number(minute), Number(second)];
  const [y, mo, d, h, mi, s] = numbers;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const calendar = new Date(Date.UTC(2000, 0, 1));
  calendar.setUTCFullYear(y, mo - 1, d);
  if (calendar.getUTCMonth() !== mo - 1 || calendar.getUTCDate() !== d) return undefined;
  const offset = offsetMinutes(zone);
  if (offset === undefined) return undefined;
  const milliseconds = Number(fraction.padEnd(3, '0').slice(0, 3));
  const instant = calendar.getTime() + ((h * 60 + mi - offset) * 60 + s) * 1000 + milliseconds;
  const date = new Date(instant);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999) return undefined;
  return date.toISOString();
}

/** `ISO8601` format of the date processor; the input is the value's text, as Java's toString gives it. */
export function parseIso8601(text: string): string | undefined {
  const match = ISO8601.exec(text);
  return match ? toIsoString(match.slice(1)) : undefined;
}

/** The three formats tried for session creation dates: ISO8601, basic_date_time_no_millis, basic_date_time. */
export function parseSessionCreationDate(text: string): string | undefined {
  const iso = parseIso8601(text);
  if (iso !== undefined) return iso;
  const match = BASIC_DATE_TIME.exec(text);
  return match ? toIsoString(match.slice(1)) : undefined;
}

/** Helpers shared by the rule validators: what a parsed TOML value is, and how to name it in an error. */

export type Table = Record<string, unknown>;

export type ReportProblem = (field: string, problem: string) => void;

export function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** The value as an error message names it: `the string "x"`, `a list`, `the number 3`... */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'string') return value.trim() === '' ? 'an empty string' : `the string "${value.slice(0, 40)}"`;
  if (typeof value === 'object') return 'a table';
  return `the ${typeof value} ${String(value)}`;
}

/** TOML integers arrive as numbers or, beyond 2^53, as bigints; both read as a number here. */
export function integerValue(value: unknown): number | undefined {
  const number = typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : undefined;
  return number !== undefined && Number.isSafeInteger(number) ? number : undefined;
}

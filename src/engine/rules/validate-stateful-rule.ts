import type { NewTermsConfig, ThresholdCardinality, ThresholdConfig } from './detection-rule';
import { describeValue, integerValue, isTable, type ReportProblem, type Table } from './toml-values';

/**
 * `[rule.new_terms]` and `[rule.threshold]` of Elastic's detection-rules schema (NewTermsRuleData and
 * ThresholdQueryRuleData), checked with the same care as the rest of a rule: every problem names its field.
 */

const DURATION_UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  H: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/**
 * `now-7d` → 7 days in milliseconds: Elastic date math relative to now, with a fixed-length unit (s, m, h, d, w).
 * Months and years have no fixed length, so a window written with them has no single duration: undefined.
 */
export function lookbackMs(text: string): number | undefined {
  const match = /^now-(\d{1,6})([smhHdw])$/.exec(text);
  if (!match) return undefined;
  const amount = Number(match[1]);
  return amount > 0 ? amount * (DURATION_UNIT_MS[match[2]] as number) : undefined;
}

/** Elastic's caps: 3 new-terms fields; 3 threshold group-by fields, 5 for rules made for Elastic 9.2 and later. */
export const MAX_NEW_TERMS_FIELDS = 3;
const MAX_THRESHOLD_FIELDS = 3;
const MAX_THRESHOLD_FIELDS_FROM_9_2 = 5;

export function readNewTerms(value: unknown, report: ReportProblem): NewTermsConfig | undefined {
  const at = 'rule.new_terms';
  if (value === undefined) {
    report(at, 'missing; a new_terms rule needs [rule.new_terms] with field = "new_terms_fields", value = [fields] and [[rule.new_terms.history_window_start]]');
    return undefined;
  }
  if (!isTable(value)) {
    report(at, `expected a table, found ${describeValue(value)}`);
    return undefined;
  }
  let ok = reportUnknown(value, at, ['field', 'value', 'history_window_start'], report);
  if (value.field !== 'new_terms_fields') {
    report(`${at}.field`, `expected "new_terms_fields", found ${describeValue(value.field)}`);
    ok = false;
  }
  const fields = readFieldList(value.value, `${at}.value`, 1, MAX_NEW_TERMS_FIELDS, report);
  if (!fields) ok = false;

  const windows = value.history_window_start;
  const windowAt = `${at}.history_window_start`;
  let historyWindowStart: string | undefined;
  let historyWindowMs: number | undefined;
  if (!Array.isArray(windows) || windows.length !== 1 || !isTable(windows[0])) {
    report(windowAt, `expected one [[rule.new_terms.history_window_start]] table with field = "history_window_start" and value = "now-7d", found ${describeValue(windows)}${Array.isArray(windows) && windows.length > 1 ? ` of ${windows.length}` : ''}`);
    ok = false;
  } else {
    const entry = windows[0];
    if (!reportUnknown(entry, `${windowAt}[0]`, ['field', 'value'], report)) ok = false;
    if (entry.field !== 'history_window_start') {
      report(`${windowAt}[0].field`, `expected "history_window_start", found ${describeValue(entry.field)}`);
      ok = false;
    }
    if (typeof entry.value === 'string') historyWindowMs = lookbackMs(entry.value);
    if (historyWindowMs === undefined) {
      report(`${windowAt}[0].value`, `${describeValue(entry.value)} is not a history window such as "now-7d" (now minus a whole number of s, m, h, d or w)`);
      ok = false;
    } else {
      historyWindowStart = entry.value as string;
    }
  }
  if (!ok || !fields || historyWindowStart === undefined || historyWindowMs === undefined) return undefined;
  return { fields, historyWindowStart, historyWindowMs };
}

export function readThreshold(
  value: unknown,
  from: string,
  minStackVersion: string | undefined,
  report: ReportProblem,
): ThresholdConfig | undefined {
  const at = 'rule.threshold';
  if (value === undefined) {
    report(at, 'missing; a threshold rule needs [rule.threshold] with field = [group-by fields] and value = N');
    return undefined;
  }
  if (!isTable(value)) {
    report(at, `expected a table, found ${describeValue(value)}`);
    return undefined;
  }
  let ok = reportUnknown(value, at, ['field', 'value', 'cardinality'], report);
  const maxFields = stackAtLeast(minStackVersion, 9, 2) ? MAX_THRESHOLD_FIELDS_FROM_9_2 : MAX_THRESHOLD_FIELDS;
  // Kibana accepts one field as a plain string, and an empty string or list for "no grouping".
  const rawFields = value.field === undefined || value.field === '' ? [] : typeof value.field === 'string' ? [value.field] : value.field;
  const fields = readFieldList(rawFields, `${at}.field`, 0, maxFields, report, maxFields === MAX_THRESHOLD_FIELDS ? ' (5 with metadata.min_stack_version 9.2 or later)' : '');
  if (!fields) ok = false;

  const count = integerValue(value.value);
  if (count === undefined || count < 1) {
    report(`${at}.value`, `expected a whole number of events >= 1, found ${describeValue(value.value)}`);
    ok = false;
  }
  const cardinality = readCardinality(value.cardinality, `${at}.cardinality`, report);
  if (!cardinality) ok = false;

  const windowMs = lookbackMs(from);
  if (windowMs === undefined) {
    report('rule.from', `"${from}" is not a window such as "now-6m": a threshold rule counts events over this look-back`);
    ok = false;
  }
  if (!ok || !fields || count === undefined || !cardinality || windowMs === undefined) return undefined;
  return { fields, value: count, cardinality, windowMs };
}

/** `[[rule.threshold.cardinality]]` (a list of at most one table); older exports wrote a single table. */
function readCardinality(value: unknown, at: string, report: ReportProblem): ThresholdCardinality[] | undefined {
  if (value === undefined) return [];
  const entries = isTable(value) ? [value] : value;
  if (!Array.isArray(entries)) {
    report(at, `expected [[rule.threshold.cardinality]] with field and value, found ${describeValue(value)}`);
    return undefined;
  }
  if (entries.length > 1) {
    report(at, `Elastic counts distinct values of one field only, found ${entries.length} entries`);
    return undefined;
  }
  const result: ThresholdCardinality[] = [];
  let ok = true;
  entries.forEach((entry, i) => {
    const entryAt = `${at}[${i}]`;
    if (!isTable(entry)) {
      report(entryAt, `expected a table with field and value, found ${describeValue(entry)}`);
      ok = false;
      return;
    }
    if (!reportUnknown(entry, entryAt, ['field', 'value'], report)) ok = false;
    const field = typeof entry.field === 'string' && entry.field.trim() !== '' ? entry.field : undefined;
    if (!field) {
      report(`${entryAt}.field`, `expected a field name, found ${describeValue(entry.field)}`);
      ok = false;
    }
    const distinct = integerValue(entry.value);
    if (distinct === undefined || distinct < 1) {
      report(`${entryAt}.value`, `expected a whole number of distinct values >= 1, found ${describeValue(entry.value)}`);
      ok = false;
    }
    if (field && distinct !== undefined && distinct >= 1) result.push({ field, value: distinct });
  });
  return ok ? result : undefined;
}

function readFieldList(
  value: unknown,
  at: string,
  min: number,
  max: number,
  report: ReportProblem,
  hint = '',
): string[] | undefined {
  if (!Array.isArray(value) || value.length < min || value.length > max) {
    const size = Array.isArray(value) ? ` of ${value.length}` : '';
    report(at, `expected a list of ${min} to ${max} field names${hint}, found ${describeValue(value)}${size}`);
    return undefined;
  }
  let ok = true;
  value.forEach((field, i) => {
    if (typeof field !== 'string' || field.trim() === '') {
      report(`${at}[${i}]`, `expected a field name, found ${describeValue(field)}`);
      ok = false;
    }
  });
  if (ok && new Set(value).size !== value.length) {
    report(at, 'names a field more than once');
    ok = false;
  }
  return ok ? (value as string[]) : undefined;
}

function reportUnknown(table: Table, at: string, known: readonly string[], report: ReportProblem): boolean {
  let ok = true;
  for (const key of Object.keys(table)) {
    if (!known.includes(key)) {
      report(`${at}.${key}`, `unknown field; expected ${known.join(', ')}`);
      ok = false;
    }
  }
  return ok;
}

function stackAtLeast(version: string | undefined, major: number, minor: number): boolean {
  const match = version === undefined ? null : /^(\d+)\.(\d+)/.exec(version);
  if (!match) return false;
  const [haveMajor, haveMinor] = [Number(match[1]), Number(match[2])];
  return haveMajor > major || (haveMajor === major && haveMinor >= minor);
}

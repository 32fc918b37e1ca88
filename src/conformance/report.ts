/** Result types shared by the conformance suites, and the plain-text report (aligned tables, failures, final line). */

export interface Table {
  readonly headers: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}

/** One failed check: what failed (`id`), the query or input concerned, and why. */
export interface Failure {
  readonly id: string;
  readonly query?: string;
  readonly reason: string;
}

export interface SuiteResult {
  readonly title: string;
  /** Set when the suite's input is absent from the conformance folder; the suite then counts nothing. */
  readonly skipped?: string;
  readonly passed: number;
  readonly failed: number;
  readonly tables: readonly Table[];
  readonly notes: readonly string[];
  readonly failures: readonly Failure[];
}

/** How many failures are printed in full; the counts always include all of them. */
export const MAX_PRINTED_FAILURES = 20;

export function renderTable(table: Table): string[] {
  const cells = [table.headers, ...table.rows].map((row) => row.map(String));
  const numeric = table.headers.map((_, column) => table.rows.length > 0 && table.rows.every((row) => typeof row[column] === 'number'));
  const widths = table.headers.map((_, column) => Math.max(3, ...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]): string =>
    `| ${widths.map((width, column) => (numeric[column] ? (row[column] ?? '').padStart(width) : (row[column] ?? '').padEnd(width))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (numeric[column] ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|`;
  return [line(cells[0]), rule, ...cells.slice(1).map(line)];
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function totals(suites: readonly SuiteResult[]): { passed: number; failed: number } {
  return {
    passed: suites.reduce((sum, suite) => sum + suite.passed, 0),
    failed: suites.reduce((sum, suite) => sum + suite.failed, 0),
  };
}

/** The whole report as lines; the last one is exactly `N passed, M failed`. */
export function renderReport(suites: readonly SuiteResult[]): string[] {
  const lines: string[] = [];
  for (const suite of suites) {
    lines.push(`## ${suite.title}`, '');
    if (suite.skipped !== undefined) {
      lines.push(`skipped: ${suite.skipped}`, '');
      continue;
    }
    for (const table of suite.tables) lines.push(...renderTable(table), '');
    for (const note of suite.notes) lines.push(note);
    if (suite.notes.length > 0) lines.push('');
    lines.push(`${suite.title}: ${suite.passed} passed, ${suite.failed} failed`, '');
  }
  const failures = suites.flatMap((suite) => suite.failures.map((failure) => ({ suite: suite.title, failure })));
  if (failures.length > 0) {
    const shown = failures.slice(0, MAX_PRINTED_FAILURES);
    lines.push(`## Failures (${shown.length < failures.length ? `first ${shown.length} of ${failures.length}` : failures.length})`, '');
    for (const { suite, failure } of shown) {
      lines.push(`- [${suite}] ${failure.id}`);
      if (failure.query !== undefined) lines.push(`  query: ${oneLine(JSON.stringify(failure.query), 200)}`);
      lines.push(`  why:   ${oneLine(failure.reason, 400)}`);
    }
    lines.push('');
  }
  const { passed, failed } = totals(suites);
  lines.push(`${passed} passed, ${failed} failed`);
  return lines;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

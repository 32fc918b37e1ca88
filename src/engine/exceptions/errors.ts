/** One thing wrong with an exception export: which line, which field, and what. */
export interface ExceptionProblem {
  readonly line: number;
  /** Path inside the line's JSON object, e.g. `entries[0].operator`; empty for whole-line problems. */
  readonly field: string;
  readonly problem: string;
  /** The item the problem belongs to (set for the owner/reason/expiry checks, whose message also names it). */
  readonly itemId?: string;
}

/**
 * An exception export that cannot be used. Every problem names the file, the line and the field, e.g.
 * `exceptions/nightly.ndjson:3: entries[0].operator: "include" is not one of included, excluded`.
 */
export class ExceptionFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly ExceptionProblem[],
  ) {
    super(
      problems.length === 1
        ? describeProblem(file, problems[0])
        : `${file}: ${problems.length} problems:\n${problems.map((p) => `  - ${describeProblem(file, p)}`).join('\n')}`,
    );
    this.name = 'ExceptionFileError';
  }
}

function describeProblem(file: string, problem: ExceptionProblem): string {
  return `${file}:${problem.line}: ${problem.field ? `${problem.field}: ` : ''}${problem.problem}`;
}

/** Rules, lists and the stack's mapping do not fit together: an unknown list id, an unknown rule, a duplicate list. */
export class ExceptionConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} exception configuration problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ExceptionConfigError';
  }
}

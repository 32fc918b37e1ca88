/** One thing wrong with a rule file: which field, and what. */
export interface RuleProblem {
  /** Dotted TOML path, e.g. `rule.severity` or `rule.threat[0].tactic.id`; empty for whole-file problems. */
  readonly field: string;
  readonly problem: string;
}

/**
 * A rule file that cannot be used. The message names the file, every bad field and what is wrong with it,
 * so whoever edits the rule can fix all of it in one pass.
 */
export class RuleFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly RuleProblem[],
  ) {
    super(
      problems.length === 1
        ? `${file}: ${describe(problems[0])}`
        : `${file}: ${problems.length} problems:\n${problems.map((p) => `  - ${describe(p)}`).join('\n')}`,
    );
    this.name = 'RuleFileError';
  }
}

function describe(problem: RuleProblem): string {
  return problem.field ? `${problem.field}: ${problem.problem}` : problem.problem;
}

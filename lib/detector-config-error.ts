/**
 * A mistake in the detector's configuration (construct props, or the CDK context keys that become them): what is
 * wrong, with which setting, and how to fix it, in one short message. `bin/app.ts` prints it without a stack trace;
 * an error of any other kind is a bug and keeps its trace.
 */
export class DetectorConfigError extends Error {
  constructor(
    /** The prop or context key, e.g. `alertEmails` (both layers use the same names). */
    readonly setting: string,
    /** What is wrong, e.g. `"x@y" is not an e-mail address`. */
    readonly problem: string,
    /** How to fix it, in the words of the construct props; the context layer may say it with `-c` instead. */
    readonly fix?: string,
  ) {
    super(`${setting}: ${problem}${fix ? `. ${fix}` : ''}`);
    this.name = 'DetectorConfigError';
  }
}

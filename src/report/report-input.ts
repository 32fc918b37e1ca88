import type { ExceptionReportRow } from '../engine/exceptions';
import type { DetectionRule, UnsupportedRule } from '../engine/rules';
import type { CfnTemplate } from './template';

/** Everything the report is built from: the synthesized template plus what the synth knew besides it. */
export interface ReportInput {
  readonly stackName: string;
  readonly template: CfnTemplate;
  /** Construct path (below the stack) of each logical id, e.g. `Failures/EventDelivery/Resource`. */
  readonly constructPaths: Readonly<Record<string, string>>;
  readonly rules: {
    readonly directory: string;
    readonly supported: readonly DetectionRule[];
    readonly unsupported: readonly UnsupportedRule[];
  };
  /** The rule exceptions the synth packaged (one row per rule and item) and the export files they came from. */
  readonly exceptions: { readonly rows: readonly ExceptionReportRow[]; readonly files: readonly string[] };
  /** The cdk-nag packs registered on the app, with the findings each reports on the synthesized app. */
  readonly nag: ReadonlyArray<{ readonly pack: string; readonly unacknowledgedFindings: number; readonly messages: readonly string[] }>;
  readonly versions: Readonly<Record<string, string>>;
  readonly synth: {
    readonly startedAt: Date;
    readonly durationMs: number;
    /** Context given on the command line (`-c key=value`), after cdk.json. */
    readonly context: Readonly<Record<string, unknown>>;
  };
}

/** `LogicalId` with its construct path, for readers who know the code. */
export function describeResource(input: ReportInput, logicalId: string): string {
  const path = input.constructPaths[logicalId];
  return path ? `\`${logicalId}\` (${path.replace(/\/(Resource|Default)$/, '')})` : `\`${logicalId}\``;
}

import { parseDate, SCAN_OPTIONS, STDIN_OPERAND } from './args';
import type { CliIo } from './cli-io';
import { UsageError, valueOption, type CommandDeclaration, type OptionValues } from './command-line';

/**
 * `baseline`: the first day of a deployment without a flood. Reads the trail archive as `scan` does (same inputs,
 * same S3 pruning), records every sighting of the new_terms rules, and merges them into the Lambda's DynamoDB state
 * table; then records that the rules' history starts at --since, so the detector's first alerts are real first
 * sightings and do not say "baseline incomplete" (docs/stateful-rules.md, "First day").
 */
const BASELINE_OPTIONS = {
  table: valueOption('NAME', "the detector's DynamoDB state table (the stack output StateTableName); default: $STATE_TABLE_NAME"),
  rulesDirectory: SCAN_OPTIONS.rulesDirectory,
  since: valueOption('YYYY-MM-DD', 's3:// only: read the days from this one (default: as far back as the longest history window, plus a day)', {
    parse: parseDate,
  }),
  until: SCAN_OPTIONS.until,
  accounts: SCAN_OPTIONS.accounts,
  regions: SCAN_OPTIONS.regions,
  concurrency: SCAN_OPTIONS.concurrency,
  quiet: SCAN_OPTIONS.quiet,
} as const;

export type BaselineArguments = OptionValues<typeof BASELINE_OPTIONS> & { readonly table: string; readonly paths: readonly string[] };

export const BASELINE_COMMAND: CommandDeclaration<typeof BASELINE_OPTIONS, BaselineArguments, CliIo> = {
  name: 'baseline',
  summary: "load the new_terms rules' history from the trail archive into the detector's state table",
  usage: ['baseline [--table NAME] [--rules DIR] [--since YYYY-MM-DD] [s3 options] PATH...'],
  description: `Reads CloudTrail data as scan does (files, directories, s3:// locations, - for standard input) and
records every sighting of the new_terms rules (no alert is raised), then merges them into the DynamoDB state table
of the deployed detector and records that the rules' history starts at --since (for local files: at the earliest
event read). Run it once after deploying, with the rules the stack deploys: the detector's first alerts are then
first sightings within each rule's whole history window, instead of "baseline incomplete". Running it again, or
over days the detector has already seen, only adds sightings: nothing is lost, nothing alerts.`,
  operands: { name: 'PATH', min: 1, help: 'as for scan: a file, a directory, s3://bucket/prefix, or - for standard input' },
  options: BASELINE_OPTIONS,
  examples: [
    {
      command: 'baseline --table CloudTrailStreamDetector-StateTable1A2B3C s3://org-trail/AWSLogs/',
      explanation: 'the last history window (plus a day) of every account and region in the trail bucket',
    },
    {
      command: 'baseline --rules detection-rules/rules/integrations/aws --since 2026-11-06 --regions us-east-1,eu-west-1 s3://trail/AWSLogs/',
      explanation: 'the rules the stack was deployed with (-c rulesDir), two regions, from a given day',
    },
  ],
  notes: `AWS settings as for scan, plus AWS_ENDPOINT_URL_DYNAMODB. The credentials need dynamodb:GetItem and
dynamodb:UpdateItem on the table (and kms:Decrypt / kms:GenerateDataKey on its key). Exit status as for scan.`,
  build(options, paths) {
    const table = options.table ?? process.env.STATE_TABLE_NAME?.trim();
    if (!table) throw new UsageError('baseline needs --table NAME (or STATE_TABLE_NAME): the DynamoDB state table of the detector');
    if (options.since !== undefined && options.until !== undefined && options.since > options.until) {
      throw new UsageError(`--since ${options.since} is after --until ${options.until}`);
    }
    if (paths.filter((path) => path === STDIN_OPERAND).length > 1) throw new UsageError(`${STDIN_OPERAND} (standard input) given more than once`);
    return { ...options, table, paths };
  },
  // The implementation (scan, DynamoDB client) loads on use: `--help` and `--version` need none of it.
  run(args, io) {
    return (require('./baseline-run') as typeof import('./baseline-run')).runBaseline(args, io);
  },
};

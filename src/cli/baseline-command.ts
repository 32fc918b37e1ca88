import { DynamoDbStateStore } from '../dynamodb/dynamodb-state-store';
import { createDynamoDbClient } from './dynamodb-client';
import { RuleFileError, type DetectionRule } from '../engine/rules';
import { applyReducer, type MemoryStateStore } from '../engine/state';
import { extendBaselineCoverage, NEW_TERMS_LATENESS_MS, NEW_TERMS_MERGE_MACHINE, type NewTermsState } from '../engine/stateful';
import { resolve } from 'node:path';
import { loadRulePack } from '../engine/rules';
import { parseDate, SCAN_OPTIONS, STDIN_OPERAND } from './args';
import type { CliIo } from './cli-io';
import { UsageError, valueOption, type CommandDeclaration, type OptionValues } from './command-line';
import { PACKAGED_RULES_DIRECTORY, runScan } from './scan-command';

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

type BaselineArguments = OptionValues<typeof BASELINE_OPTIONS> & { readonly table: string; readonly paths: readonly string[] };

/** DynamoDB writes in flight while merging. */
const MERGE_CONCURRENCY = 16;

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
  run: runBaseline,
};

export async function runBaseline(parsed: BaselineArguments, io: CliIo): Promise<number> {
  const args = { ...parsed, ...(parsed.since === undefined ? defaultSince(parsed, io) : {}) };
  let rulesById = new Map<string, DetectionRule>();
  return runScan(args, io, {
    selectRules(rules, directory) {
      const newTerms = rules.filter((rule) => rule.newTerms !== undefined);
      if (newTerms.length === 0) throw new RuleFileError(directory, [{ field: '', problem: 'no new_terms rule here: a baseline is their history' }]);
      rulesById = new Map(newTerms.map((rule) => [rule.ruleId, rule]));
      return newTerms;
    },
    finish: (state, earliest) => mergeIntoTable(state, rulesById, args, earliest),
  });
}

/**
 * By default an S3 baseline reads the longest history window of the rules, plus a day (records are delivered up to
 * minutes after midnight into the next day's folder), up to today. An unreadable rule folder is left to runScan,
 * which reports it as scan does.
 */
function defaultSince(args: BaselineArguments, io: CliIo): { since?: string } {
  try {
    const directory = args.rulesDirectory === undefined ? PACKAGED_RULES_DIRECTORY : resolve(io.cwd, args.rulesDirectory);
    const windows = loadRulePack(directory).rules.map((rule) => rule.newTerms?.historyWindowMs ?? 0);
    return { since: new Date(Date.now() - Math.max(0, ...windows) - 86_400_000).toISOString().slice(0, 10) };
  } catch {
    return {};
  }
}

async function mergeIntoTable(
  state: MemoryStateStore,
  rulesById: ReadonlyMap<string, DetectionRule>,
  args: BaselineArguments,
  earliestEventTime: number | undefined,
): Promise<string> {
  const client = createDynamoDbClient();
  const table = new DynamoDbStateStore({ client, tableName: args.table });
  try {
    const entries = state.snapshot().entries.filter((entry) => entry.key.startsWith('new_terms#'));
    let written = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < entries.length) {
        const entry = entries[next++];
        const rule = rulesById.get(entry?.key.split('#')[1] ?? '');
        if (entry === undefined || rule?.newTerms === undefined) continue;
        const value = entry.value as NewTermsState;
        const result = await applyReducer(table, entry.key, NEW_TERMS_MERGE_MACHINE, {
          sightings: value.sightings,
          terms: value.terms,
          historyWindowMs: rule.newTerms.historyWindowMs,
          latenessMs: NEW_TERMS_LATENESS_MS,
        });
        if (result.written) written += 1;
      }
    };
    await Promise.all(Array.from({ length: MERGE_CONCURRENCY }, worker));
    // Local files carry no day filter: the history starts at the earliest event read.
    const hasS3 = args.paths.some((path) => path.startsWith('s3://'));
    const coveredSince = hasS3 && args.since !== undefined ? Date.parse(`${args.since}T00:00:00Z`) : earliestEventTime;
    if (coveredSince === undefined) return `; baseline: no new_terms sighting read, table ${args.table} unchanged`;
    await extendBaselineCoverage(table, [...rulesById.keys()], coveredSince);
    return `; baseline: ${entries.length} term(s) of ${rulesById.size} new_terms rule(s) merged into table ${args.table} (${written} written), history from ${new Date(coveredSince).toISOString()}`;
  } catch (error) {
    throw new Error(`cannot write the baseline to table ${args.table}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  } finally {
    client.destroy();
  }
}

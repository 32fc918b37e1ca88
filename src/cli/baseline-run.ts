/** What `baseline` does (src/cli/baseline-command.ts declares it): scan for sightings, merge them into the table. */
import { resolve } from 'node:path';
import { DynamoDbStateStore } from '../dynamodb/dynamodb-state-store';
import { loadRulePack, RuleFileError, type DetectionRule } from '../engine/rules';
import { applyReducer, type MemoryStateStore } from '../engine/state';
import { extendBaselineCoverage, NEW_TERMS_LATENESS_MS, NEW_TERMS_MERGE_MACHINE, type NewTermsState } from '../engine/stateful';
import type { BaselineArguments } from './baseline-command';
import type { CliIo } from './cli-io';
import { createDynamoDbClient } from './dynamodb-client';
import { PACKAGED_RULES_DIRECTORY, runScan } from './scan-command';

/** DynamoDB writes in flight while merging. */
const MERGE_CONCURRENCY = 16;

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

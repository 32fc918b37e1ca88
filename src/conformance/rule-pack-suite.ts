/**
 * Elastic's AWS CloudTrail kuery rules (`elastic-aws-kuery-rules/*.toml`, top level only). Every file must load with
 * our loader; `type = "query"` rules must also compile. Other types (new_terms, threshold) are listed as not
 * supported yet and count as passed once they load.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileRules, parseRuleToml, SUPPORTED_RULE_TYPES, type DetectionRule } from '../engine/rules';
import { describeError, type Failure, type SuiteResult } from './report';

export const RULES_DIR = 'elastic-aws-kuery-rules';

interface RuleFileOutcome {
  file: string;
  type: string;
  name: string;
  query?: string;
  problem?: string;
}

/**
 * Each file goes through the loader `loadRulePack` uses (every field validated, the query parsed), one file at a
 * time so that one broken file is counted rather than stopping the suite; runnable rules are then compiled.
 */
function checkRuleFile(folder: string, file: string): RuleFileOutcome {
  const full = path.join(folder, file);
  let rule: DetectionRule;
  try {
    rule = parseRuleToml(fs.readFileSync(full, 'utf8'), full, { acceptUnsupportedType: true });
  } catch (error) {
    return { file, type: '(not loaded)', name: '', problem: describeError(error).split('\n').slice(0, 4).join(' ') };
  }
  const outcome = { file, type: rule.type, name: rule.name, query: rule.query };
  if (!SUPPORTED_RULE_TYPES.has(rule.type)) return outcome;
  try {
    const [compiled] = compileRules([rule]);
    // A rule must also run on a document that has none of its fields.
    if (typeof compiled.matches({}) !== 'boolean') return { ...outcome, problem: 'compiled rule does not answer a boolean' };
  } catch (error) {
    return { ...outcome, problem: `does not compile: ${describeError(error)}` };
  }
  return outcome;
}

export function runRulePackSuite(directory: string): SuiteResult {
  const title = `Rule pack (${RULES_DIR})`;
  const folder = path.join(directory, RULES_DIR);
  if (!fs.existsSync(folder)) return { title, skipped: `${folder} is absent`, passed: 0, failed: 0, tables: [], notes: [], failures: [] };
  const files = fs
    .readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.toml'))
    .map((entry) => entry.name)
    .sort();
  const outcomes = files.map((file) => checkRuleFile(folder, file));
  const byType = new Map<string, { files: number; loaded: number; failed: number }>();
  for (const outcome of outcomes) {
    const count = byType.get(outcome.type) ?? { files: 0, loaded: 0, failed: 0 };
    byType.set(outcome.type, count);
    count.files++;
    if (outcome.problem === undefined) count.loaded++;
    else count.failed++;
  }
  const failures: Failure[] = outcomes
    .filter((outcome) => outcome.problem !== undefined)
    .map((outcome) => ({ id: `${outcome.file} (${outcome.type})`, query: outcome.query, reason: outcome.problem ?? '' }));
  const unsupported = outcomes.filter((outcome) => outcome.type !== 'query' && outcome.problem === undefined);
  const tables = [
    {
      headers: ['type', 'files', 'loaded', 'failed'],
      rows: [...byType]
        .sort(([a], [b]) => (a === 'query' ? -1 : b === 'query' ? 1 : a.localeCompare(b)))
        .map(([type, count]) => [type, count.files, count.loaded, count.failed]),
    },
  ];
  if (unsupported.length > 0) {
    tables.push({
      headers: ['not supported yet (reported)', 'rule name', 'type'],
      rows: unsupported.map((outcome) => [outcome.file, outcome.name, outcome.type]),
    });
  }
  return {
    title,
    passed: outcomes.length - failures.length,
    failed: failures.length,
    tables,
    notes: [
      'Every file is loaded as loadRulePack loads it (all fields validated, query parsed); `query` rules are then',
      'compiled. Other types count as loaded and are listed as not supported yet (reported).',
    ],
    failures,
  };
}

/**
 * Elastic's AWS CloudTrail rules (`elastic-aws-kuery-rules/*.toml` and `elastic-aws-eql-rules/*.toml`, top level
 * only). Every file must load with our loader and its query compile (an EQL rule's EventBridge pattern too); a new_terms or threshold rule must also run its state machine: a first sighting
 * is new and a second is not; N events (M distinct values, with cardinality) in one second cross the threshold on
 * the last of them and not before. Types the engine cannot run are listed and count as passed once they load.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileRulePattern } from '../engine/eventbridge';
import { compileRules, notRunningKindOf, parseRuleToml, type CompiledRule, type DetectionRule } from '../engine/rules';
import {
  NEW_TERMS_LATENESS_MS,
  reduceNewTerms,
  reduceThreshold,
  THRESHOLD_LATENESS_MS,
  valueCombinations,
  type ThresholdState,
} from '../engine/stateful';
import { SEQUENCE_LATENESS_MS } from '../engine/stateful/lateness';
import { sequenceRuntimeOf } from '../engine/stateful/sequence-rule';
import { describeError, type Failure, type SuiteResult } from './report';

export const RULES_DIR = 'elastic-aws-kuery-rules';
/** Elastic's AWS EQL rules: 26 single-event rules and one sequence. */
export const EQL_RULES_DIR = 'elastic-aws-eql-rules';

interface RuleFileOutcome {
  file: string;
  type: string;
  name: string;
  query?: string;
  problem?: string;
  /** Loaded and of a kind the engine runs (undefined when it did not load). */
  runs?: boolean;
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
  const notRunning = notRunningKindOf(rule);
  const outcome = { file, type: notRunning ?? rule.type, name: rule.name, query: rule.query, runs: notRunning === undefined };
  if (!outcome.runs) return outcome;
  let compiled: CompiledRule;
  try {
    [compiled] = compileRules([rule]);
    // A rule must also run on a document that has none of its fields.
    if (typeof compiled.matches({}) !== 'boolean') return { ...outcome, problem: 'compiled rule does not answer a boolean' };
    // And get its EventBridge pre-filter (an EQL rule's own compiler; a KQL rule's is covered by the synth tests).
    if (compiled.eql) compileRulePattern(compiled);
  } catch (error) {
    return { ...outcome, problem: `does not compile: ${describeError(error)}` };
  }
  const stateProblem = exerciseState(rule) ?? exerciseSequence(compiled);
  return stateProblem === undefined ? outcome : { ...outcome, problem: stateProblem };
}

const T0 = Date.parse('2026-11-20T10:00:00Z');

/** Runs a stateful rule's reducer on events that have every field it reads; a problem, or undefined when it behaves. */
function exerciseState(rule: DetectionRule): string | undefined {
  const document = (extra: Record<string, string> = {}): Record<string, string> => ({
    ...Object.fromEntries([...(rule.newTerms?.fields ?? []), ...(rule.threshold?.fields ?? [])].map((field) => [field, 'x'])),
    ...extra,
  });
  if (rule.newTerms) {
    const [terms] = valueCombinations(document(), rule.newTerms.fields).combinations;
    const input = { terms: terms ?? [], historyWindowMs: rule.newTerms.historyWindowMs, latenessMs: NEW_TERMS_LATENESS_MS };
    const first = reduceNewTerms(undefined, { ...input, eventId: 'first', time: T0 });
    const second = reduceNewTerms(first.next, { ...input, eventId: 'second', time: T0 + 1000 });
    return first.output.isNew && !second.output.isNew ? undefined : 'new_terms: a first sighting is not new, or a second one is';
  }
  if (rule.threshold) {
    const { value, cardinality, windowMs, fields } = rule.threshold;
    const [distinct] = cardinality;
    const events = Math.max(value, distinct?.value ?? 0);
    let state: ThresholdState | undefined;
    for (let i = 1; i <= events; i++) {
      const [group] = valueCombinations(document(distinct ? { [distinct.field]: `v${i}` } : {}), fields).combinations;
      const reduction = reduceThreshold(state, {
        eventId: `e${i}`,
        time: T0,
        terms: group ?? [],
        cardinalityHashes: distinct ? [`v${i}`] : [],
        sourceHash: '',
        value,
        ...(distinct ? { cardinalityValue: distinct.value } : {}),
        windowMs,
        latenessMs: THRESHOLD_LATENESS_MS,
      });
      if ((reduction.output.crossing !== undefined) !== (i === events)) return `threshold: crossed at event ${i} of ${events}`;
      state = reduction.next ?? state;
    }
  }
  return undefined;
}

/**
 * Runs a sequence rule's state machine: one event per step, a millisecond apart under one key, completes the
 * sequence on the last step and not before; the last step delivered again raises the same sequence, marked repeated.
 */
function exerciseSequence(compiled: CompiledRule): string | undefined {
  const runtime = sequenceRuntimeOf(compiled);
  if (!runtime) return undefined;
  const { matcher, machine } = runtime;
  const query = matcher.query;
  const key = [...query.by, ...(query.stages[0]?.by ?? [])].map(() => 'x');
  const positives = matcher.stages.flatMap((stage, index) => (stage.missing ? [] : [index]));
  const input = (stage: number, i: number) => ({
    eventId: `step${i}`,
    time: T0 + i,
    tiebreaker: null,
    key,
    stages: [stage],
    until: false,
    summary: {},
    spanMs: runtime.spanMs,
    latenessMs: SEQUENCE_LATENESS_MS,
  });
  let state;
  for (const [i, stage] of positives.entries()) {
    const reduction = machine.reduce(state, input(stage, i));
    const found = reduction.output.sequences.length;
    if (found !== (i === positives.length - 1 ? 1 : 0)) return `sequence: ${found} sequence(s) found at step ${i + 1} of ${positives.length}`;
    state = reduction.next ?? state;
  }
  const last = positives.length - 1;
  const again = machine.reduce(state, input(positives[last] as number, last)).output;
  return again.repeated && again.sequences.length === 1 ? undefined : 'sequence: a redelivered last step does not raise the same sequence again';
}

export function runRulePackSuite(directory: string, rulesDir = RULES_DIR): SuiteResult {
  const title = `Rule pack (${rulesDir})`;
  const folder = path.join(directory, rulesDir);
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
  const unsupported = outcomes.filter((outcome) => outcome.runs === false && outcome.problem === undefined);
  const tables = [
    {
      headers: ['type', 'files', 'loaded and run', 'failed'],
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
      'Every file is loaded as loadRulePack loads it (all fields validated, query parsed) and compiled; new_terms rules',
      'then find a first sighting new and a second not, threshold rules cross on their N-th event (M-th distinct value),',
      'eql sequence rules complete on their last step and raise it again, marked repeated, when it is delivered again.',
      `Unsupported types: ${unsupported.length} (listed when any).`,
    ],
    failures,
  };
}

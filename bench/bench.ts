/**
 * `npm run bench`: what the detector costs, each figure next to a baseline measured in the same run, interleaved.
 *   1. per event: JSON.parse + normalize + evaluate the rules + build the alert, against JSON.parse + JSON.stringify
 *      of the same event (batches alternated with the variant's), with the packaged rule and with the 85 query rules
 *      of Elastic's AWS pack (when ../shared/conformance has it), the latter also without the rule index;
 *      enrichment (GeoIP/ASN, user agent) against the same detector without it;
 *   2. CLI start-up (startup-bench.ts) against bare Node;
 *   3. the Lambda (lambda-bench.ts): bundle size and module load, SDK bundled or the runtime's, against bare
 *      handlers; the enrichment files' share of the package and of the cold start;
 *   4. stateful rules (stateful-bench.ts): the whole Elastic pack (new_terms and threshold included) per event
 *      against its query rules, DynamoDB requests and cost per million events, scan memory over a week; and
 *      Elastic's Bedrock EQL sequence rule on a busy Bedrock account (sequence-bench.ts): per event against a
 *      single-event rule of its second step, DynamoDB requests, request units, largest item and cost;
 *   5. archive scan (scan-bench.ts): `scan` over synthetic archives (realistic and big-object profiles) against the
 *      one- and two-thread floors, DuckDB and `zcat | jq`, with the packaged rule and Elastic's pack.
 *      `--quick`: small archives, one round.
 * Prints Markdown tables; docs/benchmark.md shows the latest ones.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { conformancePath } from '../src/conformance/conformance-dir';
import { buildAlert } from '../src/engine/alerts/build-alert';
import { createDetector, type Detector } from '../src/engine/detector';
import { normalizeCloudTrail } from '../src/engine/ecs';
import { rulesWithoutNeedles } from '../src/engine/input/raw-prefilter';
import { createRuleIndex } from '../src/engine/rule-index';
import { compileRules, type CompiledRule, loadRulePack, loadRuleDirectory } from '../src/engine/rules';
import type { Enrichment } from '../src/engine/enrichment';
import { loadDefaultEnrichment } from '../src/enrichment/load-enrichment';
import { startExportTaskRecord } from '../test/support/cloudtrail-records';
import { CLI_AGENT, lambdaFigures, type Row } from './lambda-bench';
import { scanBench } from './scan-bench';
import { sequenceBench } from './sequence-bench';
import { statefulBench } from './stateful-bench';
import { startupFigures } from './startup-bench';

const ROOT = resolve(__dirname, '..');
const ELASTIC_AWS_RULES = conformancePath('elastic-aws-kuery-rules');

/** The CLI rows and the scans measure the compiled CLI: build it first when dist/ is missing or older than a source. */
function ensureBuilt(): void {
  const { currentCompiledFile } = require('../bin/compiled-build.js') as { currentCompiledFile(root: string, relativeJs: string): string | undefined };
  if (currentCompiledFile(ROOT, 'src/cli/main.js') !== undefined) return;
  process.stderr.write('bench: dist/ is missing or older than the sources: npm run build ...\n');
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0) throw new Error(`npm run build failed (exit ${build.status})`);
}

async function main(): Promise<void> {
  ensureBuilt();
  const loadAtStart = loadavg();
  const quick = process.argv.includes('--quick');
  const stateful = await statefulBench(quick, (first, second, calls) => pairedMicrosecondsPerCall(first, second, calls), (line) => process.stderr.write(`${line}\n`));
  const sequence = await sequenceBench(quick, (first, second, calls) => pairedMicrosecondsPerCall(first, second, calls), (line) => process.stderr.write(`${line}\n`));
  const rows: Row[] = [...(await perEventCost()), ...(await enrichedPerEventCost()), ...stateful.rows, ...sequence, ...startupFigures(), ...lambdaFigures()];
  const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(' ');
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
  const lines = [
    `Machine: ${machine}; ${new Date().toISOString().slice(0, 10)}; load average (1, 5, 15 min) ${load(loadAtStart)} at start, ${load(loadavg())} at end of this table (a shared machine: other work runs alongside, so only ratios of interleaved runs compare)`,
    '',
    '| measure | ours | baseline | ratio (ours / baseline) |',
    '|---|---:|---:|---:|',
    ...rows.map((row) => `| ${row.measure} | ${row.ours} | ${row.baseline} | ${row.ratio} |`),
    '',
    indexCoverageNote(),
    '',
    ...stateful.notes,
  ];
  process.stdout.write(`${lines.join('\n')}\n\n`);
  const scan = scanBench(quick, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${scan.lines.join('\n')}\n`);
  if (scan.failures.length > 0) {
    process.stderr.write(`bench: match counts wrong:\n${scan.failures.map((failure) => `  ${failure}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}

/**
 * Microseconds per call of two pieces of work, medians of batches alternated so that load on the machine hits both
 * alike. `work` may return a promise (the detector is async), which is awaited.
 */
async function pairedMicrosecondsPerCall(first: () => unknown, second: () => unknown, calls: number, batches = 9): Promise<[number, number]> {
  for (let i = 0; i < calls; i++) {
    await first();
    await second();
  }
  const samples: [number[], number[]] = [[], []];
  for (let batch = 0; batch < batches; batch++) {
    for (const [which, work] of [first, second].entries()) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < calls; i++) await work();
      samples[which].push(Number(process.hrtime.bigint() - start) / 1000 / calls);
    }
  }
  return [median(samples[0]), median(samples[1])];
}

/** Which rules of the whole pack must be tried on every event, and which turn the scan's raw pre-filter off. */
function indexCoverageNote(): string {
  if (!existsSync(ELASTIC_AWS_RULES)) return `Rule index coverage: skipped (${ELASTIC_AWS_RULES} not present).`;
  const rules = compileRules(loadRulePack(ELASTIC_AWS_RULES).rules);
  const names = (list: readonly CompiledRule[]) => (list.length === 0 ? 'none' : list.map((rule) => `"${rule.rule.name}"`).join(', '));
  return (
    `Rule index coverage, all ${rules.length} rules of Elastic's AWS pack: tried on every event (no indexed field constrained): ` +
    `${names(createRuleIndex(rules).unindexed)}; turning the raw pre-filter and the scan's worker pool off: ${names(rulesWithoutNeedles(rules))}.`
  );
}

interface RuleSet {
  readonly label: string;
  readonly detector: Pick<Detector, 'detect'>;
}

/** The detector without its rule index: every event normalized, every rule tested. The reference it must equal. */
function bruteForceDetector(rules: readonly CompiledRule[]): Pick<Detector, 'detect'> {
  return {
    async detect(record, context) {
      const document = normalizeCloudTrail(record, { receivedAt: context.receivedAt, original: context.original });
      return rules.filter((rule) => rule.matches(document)).map((rule) => ({ rule, alert: buildAlert(rule.rule, document, context), document, alertKey: '' }));
    },
  };
}

function ruleSets(): { sets: RuleSet[]; skipped: Row[] } {
  const packaged = compileRules(loadRuleDirectory(join(ROOT, 'rules')));
  const sets: RuleSet[] = [{ label: `${packaged.length} rule`, detector: createDetector(packaged) }];
  if (!existsSync(ELASTIC_AWS_RULES)) {
    const skipped = `skipped: ${ELASTIC_AWS_RULES} not present`;
    return { sets, skipped: [{ measure: 'per event, 85 Elastic AWS query rules', ours: skipped, baseline: '', ratio: '' }] };
  }
  const elastic = compileRules(loadRulePack(ELASTIC_AWS_RULES).rules.filter((rule) => rule.type === 'query'));
  sets.push(
    { label: `${elastic.length} Elastic AWS query rules`, detector: createDetector(elastic) },
    { label: `${elastic.length} Elastic AWS query rules, no index (every rule tested)`, detector: bruteForceDetector(elastic) },
  );
  return { sets, skipped: [] };
}

async function perEventCost(): Promise<Row[]> {
  const { sets, skipped } = ruleSets();
  const receivedAt = new Date();
  const matching = JSON.stringify(startExportTaskRecord());
  const other = JSON.stringify(
    startExportTaskRecord({ eventSource: 's3.amazonaws.com', eventName: 'GetObject', requestParameters: { bucketName: 'corp-data', key: 'a/b.csv' }, responseElements: null }),
  );
  const events = [
    { label: 'matching StartExportTask event (alert built)', text: matching, matches: true },
    { label: 'non-matching event', text: other, matches: false },
  ] as const;

  let sink = 0;
  const rows: Row[] = [];
  for (const { label: rulesLabel, detector } of sets) {
    for (const { label, text, matches } of events) {
      // A row is only worth printing if the event does what its label says for these rules.
      const found = (await detector.detect(JSON.parse(text), { receivedAt, original: text })).length;
      if (found > 0 !== matches) throw new Error(`${label} gives ${found} detections with ${rulesLabel}`);
      const [ours, baseline] = await pairedMicrosecondsPerCall(
        async () => {
          const detections = await detector.detect(JSON.parse(text), { receivedAt, original: text });
          for (const detection of detections) sink += JSON.stringify(detection.alert).length;
        },
        () => void (sink += JSON.stringify(JSON.parse(text)).length),
        2000,
      );
      rows.push({
        measure: `per event, ${rulesLabel}, ${label}`,
        ours: `${ours.toFixed(1)} µs`,
        baseline: `${baseline.toFixed(1)} µs (JSON.parse + JSON.stringify, interleaved)`,
        ratio: `${(ours / baseline).toFixed(1)}×`,
      });
    }
  }
  if (sink === 0) throw new Error('benchmark work was optimized away');
  return [...rows, ...skipped];
}

/**
 * The same detectors with and without the shipped enrichment (country + ASN databases, uap-core): the ratio is what
 * enrichment adds to today's per-event cost. "Repeated": the same address and agent every time (the lookups' caches
 * answer, as for most of a real trail); "new": a different address and agent on every event (no cache helps).
 */
async function enrichedPerEventCost(): Promise<Row[]> {
  const enrichment: Enrichment = loadDefaultEnrichment();
  const packaged = compileRules(loadRuleDirectory(join(ROOT, 'rules')));
  const sets: { label: string; rules: CompiledRule[] }[] = [{ label: `${packaged.length} rule`, rules: packaged }];
  if (existsSync(ELASTIC_AWS_RULES)) sets.push({ label: '85 Elastic AWS query rules', rules: compileRules(loadRulePack(ELASTIC_AWS_RULES).rules.filter((rule) => rule.type === 'query')) });
  const receivedAt = new Date();
  const matching = (index: number, fresh: boolean) =>
    JSON.stringify(startExportTaskRecord(fresh
      ? { sourceIPAddress: `52.${94 + (index >> 16)}.${(index >> 8) & 255}.${index & 255}`, userAgent: CLI_AGENT.replace('2.17.60', `2.17.${index}`) }
      : { sourceIPAddress: '52.94.76.1', userAgent: CLI_AGENT }));
  // More distinct events than the enriched detector sees (warm-up + 9 batches of 1,000) and than its caches keep
  // (10,000): every lookup and parse misses.
  const fresh = Array.from({ length: 20_000 }, (_, index) => matching(index, true));
  let sink = 0;
  const rows: Row[] = [];
  for (const { label, rules } of sets) {
    const plain = createDetector(rules);
    const enriched = createDetector(rules, { enrichment });
    const check = await enriched.detect(JSON.parse(matching(0, false)), { receivedAt });
    if ((check[0]?.document as { source?: { as?: unknown } } | undefined)?.source?.as === undefined) throw new Error('the enriched detector did not enrich');
    const work = (detector: Detector, texts: readonly string[]) => {
      let next = 0;
      return async () => {
        const text = texts[next++ % texts.length];
        for (const detection of await detector.detect(JSON.parse(text), { receivedAt, original: text })) sink += JSON.stringify(detection.alert).length;
      };
    };
    const repeated = [matching(0, false)];
    for (const [kind, texts] of [['repeated address and agent', repeated], ['new address and agent every event', fresh]] as const) {
      const [ours, baseline] = await pairedMicrosecondsPerCall(work(enriched, texts), work(plain, texts), 1000);
      rows.push({
        measure: `per event, ${label}, matching event, enriched (country + ASN + user agent), ${kind}`,
        ours: `${ours.toFixed(1)} µs`,
        baseline: `${baseline.toFixed(1)} µs (same, no enrichment)`,
        ratio: `${(ours / baseline).toFixed(2)}×`,
      });
    }
  }
  if (sink === 0) throw new Error('benchmark work was optimized away');
  return rows;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

void main();

/**
 * `npm run bench`: what the detector costs, each figure next to a baseline measured in the same run.
 *   1. per event: JSON.parse + normalize + evaluate the rules + build the alert, against JSON.parse + JSON.stringify,
 *      with the packaged rule and with the 85 query rules of Elastic's AWS pack (when ../shared/conformance has it),
 *      the latter also without the rule index (normalize every event, test every rule) to show what the index saves;
 *   2. Lambda bundle size, against a bare SNS-publish handler bundled the same way;
 *   3. module load time of the bundle (cold-start share), against the same baseline bundle.
 *   Enrichment (GeoIP/ASN, user agent): per-event cost with the shipped databases against the same detector without
 *   them (today's), repeated and ever-new addresses/agents; the deployment package with the enrichment files against
 *   the code alone; cold start (load + first event, which opens the databases) with and without them.
 *   4. archive scan (scan-bench.ts): records/s, MB/s and peak RSS of `scan` over a 200 MB and a 400 MB synthetic
 *      CloudTrail archive, against gunzip + JSON.parse alone (the floor) and `zcat | jq`. `--quick`: 20 and 40 MB.
 * Prints two Markdown tables; README.md shows the latest ones.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { conformancePath } from '../src/conformance/conformance-dir';
import { buildAlert } from '../src/engine/alerts/build-alert';
import { createDetector, type Detector } from '../src/engine/detector';
import { normalizeCloudTrail } from '../src/engine/ecs';
import { compileRules, type CompiledRule, loadRulePack, loadRuleDirectory, rulePackToJson } from '../src/engine/rules';
import { LAMBDA_BUNDLE_OPTIONS } from '../lib/lambda-bundle-options';
import { enrichmentBundleFiles } from '../lib/enrichment-bundle';
import type { Enrichment } from '../src/engine/enrichment';
import { loadDefaultEnrichment } from '../src/enrichment/load-enrichment';
import { startExportTaskRecord } from '../test/support/cloudtrail-records';
import { scanBench } from './scan-bench';

const ROOT = resolve(__dirname, '..');
const ELASTIC_AWS_RULES = conformancePath('elastic-aws-kuery-rules');

interface Row {
  readonly measure: string;
  readonly ours: string;
  readonly baseline: string;
  readonly ratio: string;
}

function main(): void {
  const rows: Row[] = [...perEventCost(), ...enrichedPerEventCost(), ...bundleFigures()];
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
  const lines = [
    `Machine: ${machine}; ${new Date().toISOString().slice(0, 10)}`,
    '',
    '| measure | ours | baseline | ratio (ours / baseline) |',
    '|---|---:|---:|---:|',
    ...rows.map((row) => `| ${row.measure} | ${row.ours} | ${row.baseline} | ${row.ratio} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n\n`);
  const scan = scanBench(process.argv.includes('--quick'), (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${scan.lines.join('\n')}\n`);
  if (scan.failures.length > 0) {
    process.stderr.write(`bench: match counts wrong:\n${scan.failures.map((failure) => `  ${failure}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}

/** Median of several timed batches, in microseconds per call. */
function microsecondsPerCall(work: () => void, calls: number, batches = 7): number {
  for (let i = 0; i < calls; i++) work(); // warm up the JIT before measuring
  const samples: number[] = [];
  for (let batch = 0; batch < batches; batch++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) work();
    samples.push(Number(process.hrtime.bigint() - start) / 1000 / calls);
  }
  return median(samples);
}

/** Like microsecondsPerCall for two pieces of work, their batches alternated so that load on the machine hits both alike. */
function pairedMicrosecondsPerCall(first: () => void, second: () => void, calls: number, batches = 9): [number, number] {
  for (let i = 0; i < calls; i++) {
    first();
    second();
  }
  const samples: [number[], number[]] = [[], []];
  for (let batch = 0; batch < batches; batch++) {
    [first, second].forEach((work, which) => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < calls; i++) work();
      samples[which].push(Number(process.hrtime.bigint() - start) / 1000 / calls);
    });
  }
  return [median(samples[0]), median(samples[1])];
}

interface RuleSet {
  readonly label: string;
  readonly detector: Pick<Detector, 'detect'>;
}

/** The detector without its rule index: every event normalized, every rule tested. The reference it must equal. */
function bruteForceDetector(rules: readonly CompiledRule[]): Pick<Detector, 'detect'> {
  return {
    detect(record, context) {
      const document = normalizeCloudTrail(record, { receivedAt: context.receivedAt, original: context.original });
      return rules.filter((rule) => rule.matches(document)).map((rule) => ({ rule, alert: buildAlert(rule.rule, document, context), document }));
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
  const elastic = compileRules(loadRulePack(ELASTIC_AWS_RULES).rules);
  sets.push(
    { label: `${elastic.length} Elastic AWS query rules`, detector: createDetector(elastic) },
    { label: `${elastic.length} Elastic AWS query rules, no index (every rule tested)`, detector: bruteForceDetector(elastic) },
  );
  return { sets, skipped: [] };
}

function perEventCost(): Row[] {
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
  const baselines = new Map(
    events.map(({ text }) => [text, microsecondsPerCall(() => void (sink += JSON.stringify(JSON.parse(text)).length), 2000)]),
  );
  for (const { label: rulesLabel, detector } of sets) {
    for (const { label, text, matches } of events) {
      // A row is only worth printing if the event does what its label says for these rules.
      const found = detector.detect(JSON.parse(text), { receivedAt, original: text }).length;
      if (found > 0 !== matches) throw new Error(`${label} gives ${found} detections with ${rulesLabel}`);
      const ours = microsecondsPerCall(() => {
        const detections = detector.detect(JSON.parse(text), { receivedAt, original: text });
        for (const detection of detections) sink += JSON.stringify(detection.alert).length;
      }, 2000);
      const baseline = baselines.get(text) as number;
      rows.push({
        measure: `per event, ${rulesLabel}, ${label}`,
        ours: `${ours.toFixed(1)} µs`,
        baseline: `${baseline.toFixed(1)} µs (JSON.parse + JSON.stringify)`,
        ratio: `${(ours / baseline).toFixed(1)}×`,
      });
    }
  }
  if (sink === 0) throw new Error('benchmark work was optimized away');
  return [...rows, ...skipped];
}

const CLI_AGENT = 'aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/macos#23.6.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython';

/**
 * The same detectors with and without the shipped enrichment (country + ASN databases, uap-core): the ratio is what
 * enrichment adds to today's per-event cost. "Repeated": the same address and agent every time (the lookups' caches
 * answer, as for most of a real trail); "new": a different address and agent on every event (no cache helps).
 */
function enrichedPerEventCost(): Row[] {
  const enrichment: Enrichment = loadDefaultEnrichment();
  const packaged = compileRules(loadRuleDirectory(join(ROOT, 'rules')));
  const sets: { label: string; rules: CompiledRule[] }[] = [{ label: `${packaged.length} rule`, rules: packaged }];
  if (existsSync(ELASTIC_AWS_RULES)) sets.push({ label: '85 Elastic AWS query rules', rules: compileRules(loadRulePack(ELASTIC_AWS_RULES).rules) });
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
    const check = enriched.detect(JSON.parse(matching(0, false)), { receivedAt });
    if ((check[0]?.document as { source?: { as?: unknown } } | undefined)?.source?.as === undefined) throw new Error('the enriched detector did not enrich');
    const work = (detector: Detector, texts: readonly string[]) => {
      let next = 0;
      return () => {
        const text = texts[next++ % texts.length];
        for (const detection of detector.detect(JSON.parse(text), { receivedAt, original: text })) sink += JSON.stringify(detection.alert).length;
      };
    };
    const repeated = [matching(0, false)];
    for (const [kind, texts] of [['repeated address and agent', repeated], ['new address and agent every event', fresh]] as const) {
      const [ours, baseline] = pairedMicrosecondsPerCall(work(enriched, texts), work(plain, texts), 1000);
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

/** Size of the files deflated one by one, as a zip deployment package stores them. */
function deflatedKb(files: readonly string[]): number {
  return files.reduce((sum, file) => sum + deflateRawSync(readFileSync(file), { level: 9 }).length, 0) / 1024;
}

/** Cold start in a fresh process: the bundled engine + rules + enrichment files loaded, then the first event. */
function coldStart(bundleFile: string, enrichmentDirectory: string): { loadMs: number; firstEventMs: number } {
  const record = JSON.stringify(startExportTaskRecord({ sourceIPAddress: '52.94.76.1', userAgent: CLI_AGENT }));
  const samples = Array.from({ length: 9 }, () => {
    const output = execFileSync(process.execPath, [bundleFile], {
      env: { ...process.env, DETECTOR_ENRICHMENT_DIR: enrichmentDirectory, BENCH_RECORD: record },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const match = /^COLD=(.+)$/m.exec(output);
    if (!match) throw new Error(`${bundleFile} printed no timing:\n${output}`);
    return JSON.parse(match[1]) as { loadMs: number; firstEventMs: number; detections: number };
  });
  return { loadMs: median(samples.map((sample) => sample.loadMs)), firstEventMs: median(samples.map((sample) => sample.firstEventMs)) };
}

function enrichmentBundleFigures(outDir: string, codeFiles: readonly string[]): Row[] {
  const enrichedDir = join(outDir, 'cold');
  mkdirSync(join(enrichedDir, 'enrichment'), { recursive: true });
  const files = enrichmentBundleFiles({}).map((file) => {
    const target = join(enrichedDir, file.name);
    if (file.sourcePath !== undefined) copyFileSync(file.sourcePath, target);
    else writeFileSync(target, file.content ?? '');
    return target;
  });
  const entry = bundle(join(ROOT, 'bench/cold-start-entry.ts'), join(enrichedDir, 'index.js'));
  writeFileSync(join(enrichedDir, 'rules.json'), rulePackToJson(loadRuleDirectory(join(ROOT, 'rules'))));
  const codeKb = codeFiles.reduce((sum, file) => sum + statSync(file).size, 0) / 1024;
  const filesKb = files.reduce((sum, file) => sum + statSync(file).size, 0) / 1024;
  const codeZipKb = deflatedKb(codeFiles);
  const filesZipKb = deflatedKb(files);
  const without = coldStart(entry, mkdtempSync(join(tmpdir(), 'ctsd-no-enrichment-')));
  const withFiles = coldStart(entry, enrichedDir);
  const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
  return [
    {
      measure: 'Lambda package with enrichment files (code + enrichment/: country + ASN databases, uap-core regexes), unpacked',
      ours: mb(codeKb + filesKb),
      baseline: `${mb(codeKb)} (code only, today's)`,
      ratio: `${((codeKb + filesKb) / codeKb).toFixed(1)}×`,
    },
    {
      measure: 'the same, deflated as in the deployment zip',
      ours: mb(codeZipKb + filesZipKb),
      baseline: `${mb(codeZipKb)} (code only, today's)`,
      ratio: `${((codeZipKb + filesZipKb) / codeZipKb).toFixed(1)}×`,
    },
    {
      measure: 'cold start: engine + rules + enrichment loaded (files opened lazily), median of 9',
      ours: `${withFiles.loadMs.toFixed(1)} ms`,
      baseline: `${without.loadMs.toFixed(1)} ms (no enrichment files)`,
      ratio: `${(withFiles.loadMs / without.loadMs).toFixed(2)}×`,
    },
    {
      measure: 'cold start: first event (opens both databases, compiles 1,175 regexes), median of 9',
      ours: `${withFiles.firstEventMs.toFixed(1)} ms`,
      baseline: `${without.firstEventMs.toFixed(1)} ms (no enrichment files)`,
      ratio: `${(withFiles.firstEventMs / without.firstEventMs).toFixed(1)}×`,
    },
  ];
}

function bundleFigures(): Row[] {
  const outDir = mkdtempSync(join(tmpdir(), 'ctsd-bench-'));
  const ours = bundle(join(ROOT, 'lambda/handler.ts'), join(outDir, 'ours/index.js'));
  const baseline = bundle(join(ROOT, 'bench/baseline-sns-handler.ts'), join(outDir, 'baseline/index.js'));
  const rulesPath = join(outDir, 'ours/rules.json');
  writeFileSync(rulesPath, rulePackToJson(loadRuleDirectory(join(ROOT, 'rules'))));

  const enrichmentRows = enrichmentBundleFigures(outDir, [ours, rulesPath]);
  const oursLoad = moduleLoadMilliseconds(ours);
  const baselineLoad = moduleLoadMilliseconds(baseline);
  const oursKb = statSync(ours).size / 1024;
  const baselineKb = statSync(baseline).size / 1024;
  return [
    {
      measure: 'Lambda bundle size (minified)',
      ours: `${oursKb.toFixed(0)} KB`,
      baseline: `${baselineKb.toFixed(0)} KB (bare SNS-publish handler)`,
      ratio: `${(oursKb / baselineKb).toFixed(2)}×`,
    },
    {
      measure: 'module load time of the bundle (median of 15)',
      ours: `${oursLoad.toFixed(1)} ms`,
      baseline: `${baselineLoad.toFixed(1)} ms (bare SNS-publish handler)`,
      ratio: `${(oursLoad / baselineLoad).toFixed(2)}×`,
    },
    ...enrichmentRows,
  ];
}

function bundle(entry: string, outfile: string): string {
  buildSync({ ...LAMBDA_BUNDLE_OPTIONS, entryPoints: [entry], outfile, logLevel: 'error' });
  return outfile;
}

/** Loads the bundle in a fresh Node process each time, as a cold start does, and times only the require. */
function moduleLoadMilliseconds(file: string): number {
  // The handler logs to stdout at cold start, so the timing goes out on its own marked line.
  const script = `const t = process.hrtime.bigint(); require(${JSON.stringify(file)}); process.stdout.write('\\nLOAD_MS=' + Number(process.hrtime.bigint() - t) / 1e6 + '\\n');`;
  const env = {
    ...process.env,
    ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:alerts',
    ALERT_ARCHIVE_BUCKET: 'alert-archive',
    AWS_REGION: 'us-east-1',
  };
  const samples = Array.from({ length: 15 }, () => {
    const output = execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const match = /^LOAD_MS=([\d.]+)$/m.exec(output);
    if (!match) throw new Error(`loading ${file} printed no timing:\n${output}`);
    return Number(match[1]);
  });
  return median(samples);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

main();

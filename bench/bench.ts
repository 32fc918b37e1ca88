/**
 * `npm run bench`: what the detector costs, each figure next to a baseline measured in the same run.
 *   1. per event: JSON.parse + normalize + evaluate every rule + build the alert, against JSON.parse + JSON.stringify;
 *   2. Lambda bundle size, against a bare SNS-publish handler bundled the same way;
 *   3. module load time of the bundle (cold-start share), against the same baseline bundle.
 * Prints a Markdown table; README.md shows the latest one.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { createDetector } from '../src/engine/detector';
import { compileRules, loadRuleDirectory, rulePackToJson } from '../src/engine/rules';
import { LAMBDA_BUNDLE_OPTIONS } from '../lib/lambda-bundle-options';
import { startExportTaskRecord } from '../test/support/cloudtrail-records';

const ROOT = resolve(__dirname, '..');

interface Row {
  readonly measure: string;
  readonly ours: string;
  readonly baseline: string;
  readonly ratio: string;
}

function main(): void {
  const rows: Row[] = [...perEventCost(), ...bundleFigures()];
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
  const lines = [
    `Machine: ${machine}; ${new Date().toISOString().slice(0, 10)}`,
    '',
    '| measure | ours | baseline | ratio (ours / baseline) |',
    '|---|---:|---:|---:|',
    ...rows.map((row) => `| ${row.measure} | ${row.ours} | ${row.baseline} | ${row.ratio} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
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

function perEventCost(): Row[] {
  const rules = compileRules(loadRuleDirectory(join(ROOT, 'rules')));
  const detector = createDetector(rules);
  const receivedAt = new Date();
  const matching = JSON.stringify(startExportTaskRecord());
  const other = JSON.stringify(
    startExportTaskRecord({ eventSource: 's3.amazonaws.com', eventName: 'GetObject', requestParameters: { bucketName: 'corp-data', key: 'a/b.csv' }, responseElements: null }),
  );

  let sink = 0;
  const rows: Row[] = [];
  for (const [label, text] of [['matching StartExportTask event (alert built)', matching], ['non-matching event', other]] as const) {
    const ours = microsecondsPerCall(() => {
      const detections = detector.detect(JSON.parse(text), { receivedAt, original: text });
      for (const detection of detections) sink += JSON.stringify(detection.alert).length;
    }, 2000);
    const baseline = microsecondsPerCall(() => {
      sink += JSON.stringify(JSON.parse(text)).length;
    }, 2000);
    rows.push({
      measure: `per event, ${label}`,
      ours: `${ours.toFixed(1)} µs`,
      baseline: `${baseline.toFixed(1)} µs (JSON.parse + JSON.stringify)`,
      ratio: `${(ours / baseline).toFixed(1)}×`,
    });
  }
  if (sink === 0) throw new Error('benchmark work was optimized away');
  return rows;
}

function bundleFigures(): Row[] {
  const outDir = mkdtempSync(join(tmpdir(), 'ctsd-bench-'));
  const ours = bundle(join(ROOT, 'lambda/handler.ts'), join(outDir, 'ours/index.js'));
  const baseline = bundle(join(ROOT, 'bench/baseline-sns-handler.ts'), join(outDir, 'baseline/index.js'));
  const rulesPath = join(outDir, 'ours/rules.json');
  writeFileSync(rulesPath, rulePackToJson(loadRuleDirectory(join(ROOT, 'rules'))));

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
  ];
}

function bundle(entry: string, outfile: string): string {
  buildSync({ ...LAMBDA_BUNDLE_OPTIONS, entryPoints: [entry], outfile, logLevel: 'error' });
  return outfile;
}

/** Loads the bundle in a fresh Node process each time, as a cold start does, and times only the require. */
function moduleLoadMilliseconds(file: string): number {
  const script = `const t = process.hrtime.bigint(); require(${JSON.stringify(file)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`;
  const env = {
    ...process.env,
    ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:alerts',
    ALERT_ARCHIVE_BUCKET: 'alert-archive',
    AWS_REGION: 'us-east-1',
  };
  const samples = Array.from({ length: 15 }, () => Number(execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8' })));
  return median(samples);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

main();

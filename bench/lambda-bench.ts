/**
 * The Lambda part of `npm run bench`: bundle size and module load time (the part of a cold start the code controls)
 * of the detector function, each against baselines bundled the same way, in two packagings:
 * - "SDK bundled": esbuild bundles our own copy of the AWS SDK v3 clients (what LAMBDA_BUNDLE_OPTIONS does);
 * - "runtime SDK": the SDK marked external, as a function relying on the SDK v3 that the Node.js 24 runtime ships;
 *   the load then reads the SDK's own files from node_modules, as the runtime reads them from /var/runtime.
 * Baselines: a bare SNS-publish handler (the issue's yardstick) and a handler with just the SDK calls the detector
 * makes (SNS publish + S3 archive), which isolates what our code adds to the clients any such function needs.
 * Module loads of all variants run interleaved, each in a fresh process. Also the enrichment files' share of the
 * package and of the cold start (load + first event), with and without them.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import { enrichmentBundleFiles } from '../lib/enrichment-bundle';
import { LAMBDA_BUNDLE_OPTIONS } from '../lib/lambda-bundle-options';
import { loadRuleDirectory, rulePackToJson } from '../src/engine/rules';
import { startExportTaskRecord } from '../test/support/cloudtrail-records';

const ROOT = resolve(__dirname, '..');
export const CLI_AGENT = 'aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/macos#23.6.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython';

export interface Row {
  readonly measure: string;
  readonly ours: string;
  readonly baseline: string;
  readonly ratio: string;
}

const PACKAGINGS = [
  { key: 'bundled', label: 'SDK bundled', external: [] as string[] },
  { key: 'runtime', label: 'runtime SDK (external)', external: ['@aws-sdk/*', '@smithy/*'] },
] as const;

const HANDLERS = [
  { key: 'ours', entry: 'lambda/handler.ts' },
  { key: 'bare', entry: 'bench/baseline-sns-handler.ts', label: 'bare SNS-publish handler' },
  { key: 'clients', entry: 'bench/baseline-sdk-clients-handler.ts', label: 'SNS + S3 clients only' },
] as const;

function bundle(entry: string, outfile: string, external: readonly string[] = []): string {
  buildSync({ ...LAMBDA_BUNDLE_OPTIONS, entryPoints: [entry], outfile, external: [...external], logLevel: 'error' });
  return outfile;
}

/** Size of the files deflated one by one, as a zip deployment package stores them. */
function deflatedKb(files: readonly string[]): number {
  return files.reduce((sum, file) => sum + deflateRawSync(readFileSync(file), { level: 9 }).length, 0) / 1024;
}

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
}

const HANDLER_ENV = {
  ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:alerts',
  ALERT_ARCHIVE_BUCKET: 'alert-archive',
  AWS_REGION: 'us-east-1',
};

/** One cold require of `file` in a fresh Node process, in milliseconds (the handler logs at load: marked line). */
function loadOnce(file: string, nodePath: string | undefined): number {
  const script = `const t = process.hrtime.bigint(); require(${JSON.stringify(file)}); process.stdout.write('\\nLOAD_MS=' + Number(process.hrtime.bigint() - t) / 1e6 + '\\n');`;
  const env = { ...process.env, ...HANDLER_ENV, ...(nodePath === undefined ? {} : { NODE_PATH: nodePath }) };
  const output = execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const match = /^LOAD_MS=([\d.]+)$/m.exec(output);
  if (!match) throw new Error(`loading ${file} printed no timing:\n${output}`);
  return Number(match[1]);
}

export function lambdaFigures(samples = 21): Row[] {
  const outDir = mkdtempSync(join(tmpdir(), 'ctsd-bench-'));
  const rules = rulePackToJson(loadRuleDirectory(join(ROOT, 'rules')));
  const files = new Map<string, string>();
  for (const packaging of PACKAGINGS) {
    for (const handler of HANDLERS) {
      const dir = join(outDir, `${handler.key}-${packaging.key}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'rules.json'), rules);
      // Outside the project, so that an external SDK resolves only through NODE_PATH (the runtime's copy).
      files.set(`${handler.key}-${packaging.key}`, bundle(join(ROOT, handler.entry), join(dir, 'index.js'), packaging.external));
    }
  }
  const runtimeSdk = join(ROOT, 'node_modules');
  const loads = new Map<string, number[]>([...files.keys()].map((key) => [key, []]));
  for (let n = 0; n < samples; n += 1) {
    for (const [key, file] of files) loads.get(key)?.push(loadOnce(file, key.endsWith('-runtime') ? runtimeSdk : undefined));
  }
  const kb = (key: string) => statSync(files.get(key) as string).size / 1024;
  const load = (key: string) => median(loads.get(key) ?? []);
  const rows: Row[] = [];
  // Sizes against baselines only with the SDK bundled: with the runtime's SDK a bare handler is a few hundred bytes.
  for (const baseline of HANDLERS.filter((handler) => handler.key !== 'ours')) {
    rows.push({
      measure: 'Lambda bundle size (minified), SDK bundled (shipped)',
      ours: `${kb('ours-bundled').toFixed(0)} KB`,
      baseline: `${kb(`${baseline.key}-bundled`).toFixed(0)} KB (${baseline.label}, SDK bundled)`,
      ratio: `${(kb('ours-bundled') / kb(`${baseline.key}-bundled`)).toFixed(2)}×`,
    });
  }
  for (const packaging of PACKAGINGS) {
    for (const baseline of HANDLERS.filter((handler) => handler.key !== 'ours')) {
      const ours = `ours-${packaging.key}`;
      const base = `${baseline.key}-${packaging.key}`;
      rows.push({
        measure: `module load of the bundle, ${packaging.label} (median of ${samples}, interleaved)`,
        ours: `${load(ours).toFixed(1)} ms`,
        baseline: `${load(base).toFixed(1)} ms (${baseline.label}, ${packaging.label})`,
        ratio: `${(load(ours) / load(base)).toFixed(2)}×`,
      });
    }
  }
  rows.push(
    {
      measure: 'packaging choice: bundle size, ours relying on the runtime SDK against ours with the SDK bundled',
      ours: `${kb('ours-runtime').toFixed(0)} KB`,
      baseline: `${kb('ours-bundled').toFixed(0)} KB (SDK bundled, shipped)`,
      ratio: `${(kb('ours-runtime') / kb('ours-bundled')).toFixed(2)}×`,
    },
    {
      measure: 'packaging choice: module load, ours relying on the runtime SDK against ours with the SDK bundled',
      ours: `${load('ours-runtime').toFixed(1)} ms`,
      baseline: `${load('ours-bundled').toFixed(1)} ms (SDK bundled, shipped)`,
      ratio: `${(load('ours-runtime') / load('ours-bundled')).toFixed(2)}×`,
    },
  );
  const shipped = files.get('ours-bundled') as string;
  return [...rows, ...enrichmentFigures(outDir, [shipped, join(outDir, 'ours-bundled', 'rules.json')])];
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
    return JSON.parse(match[1] as string) as { loadMs: number; firstEventMs: number; detections: number };
  });
  return { loadMs: median(samples.map((sample) => sample.loadMs)), firstEventMs: median(samples.map((sample) => sample.firstEventMs)) };
}

/** The enrichment databases ship as files beside the bundle: their share of the package and of the cold start. */
function enrichmentFigures(outDir: string, codeFiles: readonly string[]): Row[] {
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
      baseline: `${mb(codeKb)} (code only)`,
      ratio: `${((codeKb + filesKb) / codeKb).toFixed(1)}×`,
    },
    {
      measure: 'the same, deflated as in the deployment zip',
      ours: mb(codeZipKb + filesZipKb),
      baseline: `${mb(codeZipKb)} (code only)`,
      ratio: `${((codeZipKb + filesZipKb) / codeZipKb).toFixed(1)}×`,
    },
    {
      measure: 'cold start: engine + rules + enrichment loaded (files opened lazily), median of 9',
      ours: `${withFiles.loadMs.toFixed(1)} ms`,
      baseline: `${without.loadMs.toFixed(1)} ms (no enrichment files)`,
      ratio: `${(withFiles.loadMs / without.loadMs).toFixed(2)}×`,
    },
    {
      measure: 'cold start: first event (opens both databases, compiles the user-agent regexes it needs), median of 9',
      ours: `${withFiles.firstEventMs.toFixed(1)} ms`,
      baseline: `${without.firstEventMs.toFixed(1)} ms (no enrichment files)`,
      ratio: `${(withFiles.firstEventMs / without.firstEventMs).toFixed(1)}×`,
    },
  ];
}

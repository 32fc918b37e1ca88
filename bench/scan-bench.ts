/**
 * The archive-scan part of `npm run bench`: records per second and peak memory of `scan` over a synthetic CloudTrail
 * archive (see synthetic-archive.ts), next to (a) the floor, a Node script that only gunzips and JSON.parses every
 * object, and (b) `zcat | jq` with a select equivalent to the packaged rule. Each tool runs in its own child process
 * (wall time includes process start-up; runs of the Node tools interleaved), its peak RSS taken from `/usr/bin/time -v` when present, otherwise reported
 * by the Node child itself. Ours runs twice: as shipped (worker pool) and with CTSD_SCAN_WORKERS=0 (main thread only).
 * Two archive sizes show whether memory stays flat as the archive grows.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { buildArchive, type Archive } from './synthetic-archive';

const ROOT = resolve(__dirname, '..');
const TIME = '/usr/bin/time';
/** jq's equivalent of the packaged rule: rds StartExportTask with neither an error code nor an error message. */
export const JQ_SELECT =
  '.Records[] | select(.eventSource=="rds.amazonaws.com" and .eventName=="StartExportTask" and (.errorCode==null) and (.errorMessage==null))';

interface Run {
  readonly seconds: number;
  readonly maxRssKiB: number | undefined;
  readonly stdout: string;
}

interface Measured {
  readonly tool: string;
  readonly archive: Archive;
  readonly seconds: number;
  readonly maxRssKiB: number | undefined;
  readonly matches: number | undefined;
}

function hasTimeV(): boolean {
  return existsSync(TIME) && spawnSync(TIME, ['-v', 'true'], { stdio: 'ignore' }).status === 0;
}

/** Runs a command in its own process; peak RSS from `time -v`, or from a `MAXRSS_KIB=` line the child prints. */
function run(command: string, args: readonly string[], useTime: boolean, env: NodeJS.ProcessEnv = process.env): Run {
  const start = process.hrtime.bigint();
  const result = useTime
    ? spawnSync(TIME, ['-v', command, ...args], { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(command, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}:\n${result.stderr}`);
  const fromTime = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr);
  const fromChild = /MAXRSS_KIB=(\d+)/.exec(result.stderr);
  const rss = fromTime?.[1] ?? fromChild?.[1];
  return { seconds, maxRssKiB: rss === undefined ? undefined : Number(rss), stdout: result.stdout };
}

/** Median wall time of the runs; the peak RSS is the highest seen; every run must find as many matches. */
function summarizeRuns(runs: readonly { run: Run; matches: number | undefined }[]): { seconds: number; maxRssKiB: number | undefined; matches: number | undefined } {
  const seconds = runs.map((r) => r.run.seconds).sort((a, b) => a - b)[Math.floor(runs.length / 2)] as number;
  const rss = runs.map((r) => r.run.maxRssKiB).filter((value): value is number => value !== undefined);
  const matches = new Set(runs.map((r) => r.matches));
  if (matches.size !== 1) throw new Error(`match counts differ between runs: ${[...matches].join(', ')}`);
  return { seconds, maxRssKiB: rss.length > 0 ? Math.max(...rss) : undefined, matches: runs[0]?.matches };
}

/** jq on PATH, installing it with apt-get when missing and running as root; undefined with the reason otherwise. */
export function ensureJq(log: (line: string) => void): string | undefined {
  const which = (): boolean => spawnSync('sh', ['-c', 'command -v jq && command -v zcat'], { stdio: 'ignore' }).status === 0;
  if (which()) return undefined;
  if (spawnSync('sh', ['-c', 'command -v zcat'], { stdio: 'ignore' }).status !== 0) return 'zcat (gzip) is not installed';
  if (process.getuid?.() !== 0) return 'jq is not installed and the bench is not running as root (cannot apt-get install it)';
  log('jq not found: apt-get update && apt-get install -y jq ...');
  const install = spawnSync('sh', ['-c', 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y jq'], { encoding: 'utf8' });
  if (install.status !== 0) return `apt-get install -y jq failed (exit ${install.status}): ${(install.stderr || install.stdout).trim().split('\n').slice(-2).join(' ')}`;
  return which() ? undefined : 'apt-get install -y jq succeeded but jq (or zcat) is still not on PATH';
}

function countLines(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count += 1;
  return count;
}

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? allFiles(join(dir, entry.name)) : [join(dir, entry.name)]));
}

export interface ScanBenchResult {
  readonly lines: string[];
  readonly failures: string[];
}

export function scanBench(quick: boolean, log: (line: string) => void): ScanBenchResult {
  const sizes = quick ? [20, 40] : [200, 400];
  const repeats = quick ? 1 : 5;
  const loadAtStart = loadavg()[0] ?? 0;
  const useTime = hasTimeV();
  const jqSkipped = ensureJq(log);
  if (jqSkipped !== undefined) log(`jq skipped: ${jqSkipped}`);
  // Node children report their own peak RSS when there is no `time -v`.
  const selfReport = useTime ? [] : ['-e', "process.on('exit',()=>process.stderr.write('\\nMAXRSS_KIB='+process.resourceUsage().maxRSS+'\\n'));process.argv.splice(1,0,'-');require(process.argv[2])"];
  const measured: Measured[] = [];
  const failures: string[] = [];
  for (const size of sizes) {
    const archive = buildArchive(size, log);
    for (const file of allFiles(archive.dir)) readFileSync(file); // page cache warm for every tool alike
    log(`scanning ${archive.objects} objects, ${(archive.uncompressedBytes / 1e6).toFixed(0)} MB uncompressed, ${archive.records} records ...`);

    // The Node tools run in interleaved rounds, so a busy moment on the machine hits them alike; jq once (it is slow).
    const cli = join(ROOT, 'bin/cloudtrail-stream-detector.js');
    const tools: { name: string; once: () => { run: Run; matches: number | undefined } }[] = [
      {
        name: 'floor: Node gunzip + JSON.parse',
        once: () => {
          const r = run(process.execPath, [join(ROOT, 'bench/floor.js'), archive.dir], useTime);
          const report = JSON.parse(r.stdout) as { records: number; maxRssKiB: number };
          if (report.records !== archive.records) failures.push(`floor read ${report.records} records of ${archive.records}`);
          return { run: useTime ? r : { ...r, maxRssKiB: report.maxRssKiB }, matches: undefined };
        },
      },
      // The default (worker pool, one thread per core), then the same scan on the main thread alone.
      // Enrichment is on by default; --no-enrich shows what it costs the scan.
      ...([
        ['ours: scan --quiet', undefined, []],
        ['ours: scan --quiet --no-enrich', undefined, ['--no-enrich']],
        ['ours, no worker threads (CTSD_SCAN_WORKERS=0)', '0', []],
      ] as const).map(([name, workers, extra]) => ({
        name,
        once: () => {
          const env = { ...process.env, CTSD_SCAN_WORKERS: workers };
          const args = [...(useTime ? [] : selfReport), cli, 'scan', '--quiet', ...extra, archive.dir];
          const r = run(process.execPath, args, useTime, env);
          return { run: r, matches: countLines(r.stdout) };
        },
      })),
    ];
    const runs = new Map(tools.map((tool) => [tool.name, [] as { run: Run; matches: number | undefined }[]]));
    for (let round = 0; round < repeats; round += 1) for (const tool of tools) runs.get(tool.name)?.push(tool.once());
    const summary = (name: string) => summarizeRuns(runs.get(name) ?? []);
    measured.push({ tool: tools[0]?.name ?? '', archive, ...summary(tools[0]?.name ?? '') });

    if (jqSkipped === undefined) {
      const pipeline = `find ${JSON.stringify(archive.dir)} -name '*.json.gz' -print0 | sort -z | xargs -0 zcat | jq -c '${JQ_SELECT}' | wc -l`;
      const r = run('sh', ['-c', pipeline], useTime);
      const jq = summarizeRuns([{ run: r, matches: Number(r.stdout.trim()) }]);
      measured.push({ tool: 'zcat \\| jq select', archive, ...jq });
      if (jq.matches !== archive.expectedMatches) failures.push(`jq matched ${jq.matches}, expected ${archive.expectedMatches} (${size} MB)`);
    }
    for (const tool of tools.slice(1)) {
      const ours = summary(tool.name);
      measured.push({ tool: tool.name, archive, ...ours });
      if (ours.matches !== archive.expectedMatches) failures.push(`${tool.name} alerted ${ours.matches} times, expected ${archive.expectedMatches} (${size} MB)`);
    }
  }

  const floorSeconds = new Map(measured.filter((m) => m.tool.startsWith('floor')).map((m) => [m.archive.dir, m.seconds]));
  const lines = [
    `Archive scan: synthetic CloudTrail archive (gzipped objects of 2–5 MB, ~1 matching event per 10,000), packaged rule; wall time per tool in its own process incl. start-up, median of ${repeats} interleaved run(s) (jq: 1), load average ${loadAtStart.toFixed(2)} at start; peak RSS ${useTime ? 'from /usr/bin/time -v' : 'reported by the Node child (maxRSS)'}.`,
    '',
    '| tool | archive (uncompressed) | records/s | MB/s | peak RSS | alerts / matches | ratio vs floor (speed) |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...measured.map((m) => {
      const mb = m.archive.uncompressedBytes / 1e6;
      const floorTime = floorSeconds.get(m.archive.dir) as number;
      return `| ${m.tool} | ${mb.toFixed(0)} MB (${m.archive.objects} objects, ${m.archive.records.toLocaleString('en-US')} records, ${m.archive.expectedMatches} to find) | ${Math.round(m.archive.records / m.seconds).toLocaleString('en-US')} | ${(mb / m.seconds).toFixed(0)} | ${m.maxRssKiB === undefined ? 'n/a' : `${(m.maxRssKiB / 1024).toFixed(0)} MB`} | ${m.matches ?? '—'} | ${(floorTime / m.seconds).toFixed(2)}× |`;
    }),
    ...(jqSkipped === undefined ? [] : ['', `jq skipped: ${jqSkipped}`]),
  ];
  return { lines, failures };
}

/**
 * The archive-scan part of `npm run bench`: `scan` over synthetic CloudTrail archives (synthetic-archive.ts), next to
 * the floors and the peers, all on the same files in the same run:
 * - the one-thread floor (bench/floor.js: gunzip + JSON.parse of every object, nothing else) and the two-thread
 *   floor (the same on two worker threads): what reading the archive costs on one core and on both;
 * - DuckDB (bench/duckdb-scan.js: `read_json` over the .json.gz files with the packaged rule's predicate);
 * - Python with orjson (bench/python-scan.py, one thread, the same predicate);
 * - `zcat | jq` with the same predicate (once: it is slow);
 * - ours with the packaged rule (as shipped, without enrichment, without worker threads), with Elastic's 85 query
 *   rules, and with its whole pack of 139 (new_terms and threshold rules' state in memory); the packs' alerts go to
 *   /dev/null (a run's alerts are counted from its summary line, not held in this process).
 * Every tool runs in its own child process (wall time includes start-up), in interleaved rounds whose order rotates,
 * so that load from the other users of this shared machine hits every tool alike; figures are medians. Peak RSS
 * comes from `/usr/bin/time -v` when present, else from the Node child itself. Each tool's match count is checked:
 * the packaged rule's against the generator's count, the query pack's against a brute-force count
 * (expected-pack-matches.ts); the whole pack's, which depends on state, must be the same in every run.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { conformancePath } from '../src/conformance/conformance-dir';
import { expectedPackMatches } from './expected-pack-matches';
import { buildArchive, type Archive, type ArchiveProfile } from './synthetic-archive';

const ROOT = resolve(__dirname, '..');
const TIME = '/usr/bin/time';
const ELASTIC_AWS_RULES = conformancePath('elastic-aws-kuery-rules');
/** jq's equivalent of the packaged rule: rds StartExportTask with neither an error code nor an error message. */
export const JQ_SELECT =
  '.Records[] | select(.eventSource=="rds.amazonaws.com" and .eventName=="StartExportTask" and (.errorCode==null) and (.errorMessage==null))';

interface Run {
  readonly seconds: number;
  readonly maxRssKiB: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

type ToolId = 'floor' | 'floor2' | 'duckdb' | 'python' | 'jq' | 'seed' | 'seedNoEnrich' | 'seedOneThread' | 'pack' | 'pack139';

interface Tool {
  readonly id: ToolId;
  readonly name: string;
  /** Runs the tool once; returns the run and the matches it reported (undefined for the floors). */
  once(): { run: Run; matches: number | undefined };
  readonly expected?: number;
}

export interface Measured {
  readonly id: ToolId;
  readonly tool: string;
  readonly archive: Archive;
  readonly seconds: number;
  readonly maxRssKiB: number | undefined;
  readonly matches: number | undefined;
  readonly runs: number;
}

function hasTimeV(): boolean {
  return existsSync(TIME) && spawnSync(TIME, ['-v', 'true'], { stdio: 'ignore' }).status === 0;
}

/** Runs a command in its own process; peak RSS from `time -v`, or from a `maxRssKiB` the child prints. */
function run(command: string, args: readonly string[], useTime: boolean, env: NodeJS.ProcessEnv = process.env): Run {
  const start = process.hrtime.bigint();
  const result = useTime
    ? spawnSync(TIME, ['-v', command, ...args], { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(command, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}:\n${result.stderr}`);
  const fromTime = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr);
  const fromChild = /MAXRSS_KIB=(\d+)/.exec(result.stderr) ?? /"maxRssKiB":(\d+)/.exec(result.stdout);
  const rss = fromTime?.[1] ?? fromChild?.[1];
  return { seconds, maxRssKiB: rss === undefined ? undefined : Number(rss), stdout: result.stdout, stderr: result.stderr };
}

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
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

/** DuckDB's Node package (a development dependency whose binary comes in an optional dependency), or why not. */
function duckdbMissing(): string | undefined {
  try {
    require.resolve('@duckdb/node-api');
    return undefined;
  } catch {
    return '@duckdb/node-api is not installed (npm ci installs it with the development dependencies)';
  }
}

/** python3 with orjson, or why not. */
function pythonMissing(): string | undefined {
  const probe = spawnSync('python3', ['-c', 'import orjson'], { encoding: 'utf8' });
  if (probe.error !== undefined) return 'python3 is not installed';
  return probe.status === 0 ? undefined : 'the orjson module is not installed (apt-get install python3-orjson, or pip install orjson)';
}

function countLines(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count += 1;
  return count;
}

/** Matches a scan found: its alerts plus those a rule's alert suppression held back (from its summary line). */
function scanMatches(run: Run): number {
  const summary = run.stderr.split('\n').find((line) => line.startsWith('scanned ')) ?? '';
  const number = (pattern: RegExp): number => Number((pattern.exec(summary)?.[1] ?? '0').replace(/,/g, ''));
  const alerts = /([\d,]+) alerts?\b/.exec(summary);
  if (alerts === null) throw new Error(`scan printed no summary:\n${run.stderr.slice(-2000)}`);
  return number(/([\d,]+) alerts?\b/) + number(/([\d,]+) match(?:es)? suppressed by alert suppression/);
}

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? allFiles(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** Elastic's 85 query rules in a folder of their own (the pack's folder holds its new_terms and threshold rules too). */
function queryRulesFolder(pack: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'ctsd-bench-query-rules-'));
  for (const name of readdirSync(pack).filter((file) => file.endsWith('.toml'))) {
    if (/^type = "query"$/m.test(readFileSync(join(pack, name), 'utf8'))) copyFileSync(join(pack, name), join(path, name));
  }
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface ScanBenchResult {
  readonly lines: string[];
  readonly failures: string[];
}

const PROFILES: readonly { profile: ArchiveProfile; sizes: readonly number[]; quickSizes: readonly number[] }[] = [
  { profile: 'realistic', sizes: [200, 400], quickSizes: [20, 40] },
  { profile: 'big-objects', sizes: [200], quickSizes: [20] },
];

export function scanBench(quick: boolean, log: (line: string) => void): ScanBenchResult {
  const repeats = quick ? 1 : 5;
  const loadAtStart = loadavg();
  const useTime = hasTimeV();
  const jqSkipped = ensureJq(log);
  if (jqSkipped !== undefined) log(`jq skipped: ${jqSkipped}`);
  const duckdbSkipped = duckdbMissing();
  if (duckdbSkipped !== undefined) log(`DuckDB skipped: ${duckdbSkipped}`);
  const pythonSkipped = pythonMissing();
  if (pythonSkipped !== undefined) log(`Python + orjson skipped: ${pythonSkipped}`);
  const packSkipped = existsSync(ELASTIC_AWS_RULES) ? undefined : `${ELASTIC_AWS_RULES} not present`;
  const queryRules = packSkipped === undefined ? queryRulesFolder(ELASTIC_AWS_RULES) : undefined;
  // Node children report their own peak RSS when there is no `time -v`.
  const selfReport = useTime ? [] : ['-e', "process.on('exit',()=>process.stderr.write('\\nMAXRSS_KIB='+process.resourceUsage().maxRSS+'\\n'));process.argv.splice(1,0,'-');require(process.argv[2])"];
  const cli = join(ROOT, 'bin/cloudtrail-stream-detector.js');
  const measured: Measured[] = [];
  const failures: string[] = [];
  let duckdbVersion = '';

  for (const { profile, sizes, quickSizes } of PROFILES) {
    for (const size of quick ? quickSizes : sizes) {
      const archive = buildArchive(profile, size, log);
      const packExpected = queryRules === undefined ? undefined : expectedPackMatches(archive, queryRules.path, log);
      for (const file of allFiles(archive.dir)) readFileSync(file); // page cache warm for every tool alike
      log(`scanning the ${profile} archive: ${archive.objects} objects, ${(archive.uncompressedBytes / 1e6).toFixed(0)} MB uncompressed, ${archive.records} records ...`);

      const ours = (id: ToolId, name: string, extra: readonly string[], env: Record<string, string> = {}, expected: number | null = archive.expectedMatches): Tool => ({
        id,
        name,
        expected: expected ?? undefined,
        once: () => {
          const r = run(process.execPath, [...selfReport, cli, 'scan', '--quiet', ...extra, archive.dir], useTime, { ...process.env, ...env });
          const matches = scanMatches(r);
          if (id !== 'pack' && id !== 'pack139' && countLines(r.stdout) !== matches) failures.push(`${name}: ${countLines(r.stdout)} alert lines but ${matches} in its summary`);
          return { run: r, matches };
        },
      });
      const floor = (id: ToolId, name: string, threads: number): Tool => ({
        id,
        name,
        once: () => {
          const r = run(process.execPath, [join(ROOT, 'bench/floor.js'), ...(threads > 0 ? ['--threads', String(threads)] : []), archive.dir], useTime);
          const report = JSON.parse(r.stdout) as { records: number };
          if (report.records !== archive.records) failures.push(`${name} read ${report.records} records of ${archive.records}`);
          return { run: r, matches: undefined };
        },
      });
      const tools: Tool[] = [
        floor('floor', 'floor: one thread, gunzip + JSON.parse', 0),
        floor('floor2', 'floor: two worker threads, gunzip + JSON.parse', 2),
        ...(duckdbSkipped === undefined
          ? [{
              id: 'duckdb' as const,
              name: 'DuckDB read_json, same predicate',
              expected: archive.expectedMatches,
              once: () => {
                const r = run(process.execPath, [join(ROOT, 'bench/duckdb-scan.js'), archive.dir], useTime);
                const report = JSON.parse(r.stdout) as { matches: number; version: string };
                duckdbVersion = report.version;
                return { run: r, matches: report.matches };
              },
            }]
          : []),
        ...(pythonSkipped === undefined
          ? [{
              id: 'python' as const,
              name: 'Python + orjson, same predicate',
              expected: archive.expectedMatches,
              once: () => {
                const r = run('python3', [join(ROOT, 'bench/python-scan.py'), archive.dir], useTime);
                return { run: r, matches: (JSON.parse(r.stdout) as { matches: number }).matches };
              },
            }]
          : []),
        ours('seed', 'ours: scan, packaged rule', []),
        ours('seedNoEnrich', 'ours: scan --no-enrich, packaged rule', ['--no-enrich']),
        ours('seedOneThread', 'ours: scan, packaged rule, no worker threads', [], { CTSD_SCAN_WORKERS: '0' }),
        ...(queryRules === undefined
          ? []
          : [
              ours('pack', "ours: scan, Elastic's 85 query rules", ['--rules', queryRules.path, '--output', '/dev/null'], {}, packExpected),
              // The stateful rules' alerts depend on state: no brute-force count, but every run must agree.
              ours('pack139', "ours: scan, Elastic's 139 rules (49 new_terms + 5 threshold, state in memory)", ['--rules', ELASTIC_AWS_RULES, '--output', '/dev/null'], {}, null),
            ]),
      ];
      const runs = new Map(tools.map((tool) => [tool.id, [] as { run: Run; matches: number | undefined }[]]));
      for (let round = 0; round < repeats; round += 1) {
        // Rotate the order each round: no tool always runs right after the heaviest one.
        const order = tools.map((_, n) => tools[(n + round) % tools.length] as Tool);
        for (const tool of order) runs.get(tool.id)?.push(tool.once());
      }
      for (const tool of tools) {
        const results = runs.get(tool.id) ?? [];
        const counts = new Set(results.map((result) => result.matches));
        if (counts.size !== 1) failures.push(`${tool.name}: match counts differ between runs (${[...counts].join(', ')}), ${profile} ${size} MB`);
        const matches = results[0]?.matches;
        if (tool.expected !== undefined && matches !== tool.expected) failures.push(`${tool.name} found ${matches} matches, expected ${tool.expected} (${profile} ${size} MB)`);
        const rss = results.map((result) => result.run.maxRssKiB).filter((value): value is number => value !== undefined);
        measured.push({ id: tool.id, tool: tool.name, archive, seconds: median(results.map((result) => result.run.seconds)), maxRssKiB: rss.length > 0 ? Math.max(...rss) : undefined, matches, runs: results.length });
      }
      if (jqSkipped === undefined) {
        const pipeline = `find ${JSON.stringify(archive.dir)} -name '*.json.gz' -print0 | sort -z | xargs -0 zcat | jq -c '${JQ_SELECT}' | wc -l`;
        const r = run('sh', ['-c', pipeline], useTime);
        const matches = Number(r.stdout.trim());
        measured.push({ id: 'jq', tool: 'zcat \\| jq, same predicate', archive, seconds: r.seconds, maxRssKiB: r.maxRssKiB, matches, runs: 1 });
        if (matches !== archive.expectedMatches) failures.push(`jq matched ${matches}, expected ${archive.expectedMatches} (${profile} ${size} MB)`);
      }
    }
  }
  queryRules?.remove();
  const loadAtEnd = loadavg();
  return { lines: renderScanTables(measured, { repeats, loadAtStart, loadAtEnd, useTime, duckdbVersion, skipped: { jq: jqSkipped, DuckDB: duckdbSkipped, 'Python + orjson': pythonSkipped, "Elastic's pack": packSkipped } }), failures };
}

interface RenderContext {
  readonly repeats: number;
  readonly loadAtStart: number[];
  readonly loadAtEnd: number[];
  readonly useTime: boolean;
  readonly duckdbVersion: string;
  readonly skipped: Record<string, string | undefined>;
}

function describeArchive(archive: Archive): string {
  return `${(archive.uncompressedBytes / 1e6).toFixed(0)} MB, ${archive.objects.toLocaleString('en-US')} objects of ${archive.objectRecords.min}–${archive.objectRecords.max} records (median ${archive.objectRecords.median}, ${(archive.medianGzBytes / 1024).toFixed(0)} KB gzipped), ${archive.records.toLocaleString('en-US')} records`;
}

function renderScanTables(measured: readonly Measured[], context: RenderContext): string[] {
  const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(' ');
  const lines = [
    `Archive scan: wall time per tool in its own process incl. start-up, median of ${context.repeats} interleaved run(s) (jq: 1); peak RSS ${context.useTime ? 'from /usr/bin/time -v' : 'reported by the Node child (maxRSS)'}; DuckDB ${context.duckdbVersion || 'skipped'}; load average (1, 5, 15 min) ${load(context.loadAtStart)} at start, ${load(context.loadAtEnd)} at end (a shared machine: other work runs alongside).`,
    '',
    '| archive | tool | wall time | records/s | MB/s | peak RSS | matches | time ÷ one-thread floor |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  const floorOf = (archive: Archive) => measured.find((m) => m.archive === archive && m.id === 'floor')?.seconds ?? NaN;
  for (const m of measured) {
    const mb = m.archive.uncompressedBytes / 1e6;
    lines.push(
      `| ${m.archive.profile}, ${describeArchive(m.archive)} | ${m.tool} | ${m.seconds.toFixed(2)} s | ${Math.round(m.archive.records / m.seconds).toLocaleString('en-US')} | ${(mb / m.seconds).toFixed(0)} | ${m.maxRssKiB === undefined ? 'n/a' : `${(m.maxRssKiB / 1024).toFixed(0)} MB`} | ${m.matches ?? '—'} | ${(m.seconds / floorOf(m.archive)).toFixed(2)}× |`,
    );
  }
  lines.push('', ...goalLines(measured));
  const skipped = Object.entries(context.skipped).filter((entry): entry is [string, string] => entry[1] !== undefined);
  if (skipped.length > 0) lines.push('', ...skipped.map(([what, why]) => `${what} skipped: ${why}`));
  return lines;
}

/** The issue's goals for the scan, each a ratio of two medians from the same interleaved rounds. */
function goalLines(measured: readonly Measured[]): string[] {
  const rows: string[] = ['| goal (scan) | archive | measured | target | holds |', '|---|---|---:|---:|:---:|'];
  const archives = [...new Set(measured.map((m) => m.archive))];
  const seconds = (archive: Archive, id: ToolId) => measured.find((m) => m.archive === archive && m.id === id)?.seconds;
  const add = (goal: string, archive: string, value: number | undefined, target: number, strict = false) => {
    if (value === undefined || Number.isNaN(value)) return;
    const holds = strict ? value < target : value <= target;
    rows.push(`| ${goal} | ${archive} | ${value.toFixed(2)}× | ${strict ? '<' : '≤'} ${target.toFixed(2)}× | ${holds ? 'yes' : 'no'} |`);
  };
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a / b);
  for (const archive of archives) {
    const name = `${archive.profile} ${(archive.uncompressedBytes / 1e6).toFixed(0)} MB`;
    add('packaged rule ÷ two-thread floor', name, ratio(seconds(archive, 'seed'), seconds(archive, 'floor2')), 1.1);
    add('packaged rule ÷ DuckDB (faster than DuckDB)', name, ratio(seconds(archive, 'seed'), seconds(archive, 'duckdb')), 1, true);
    add("Elastic's 85 query rules ÷ packaged rule", name, ratio(seconds(archive, 'pack'), seconds(archive, 'seed')), 1.5);
    const stateful = ratio(seconds(archive, 'pack139'), seconds(archive, 'pack'));
    if (stateful !== undefined) rows.push(`| Elastic's 139 rules ÷ its 85 query rules (what the state costs a scan; no target) | ${name} | ${stateful.toFixed(2)}× | — | — |`);
  }
  for (const profile of new Set(archives.map((archive) => archive.profile))) {
    const sized = archives.filter((archive) => archive.profile === profile).sort((a, b) => a.uncompressedBytes - b.uncompressedBytes);
    if (sized.length < 2) continue;
    const [small, large] = [sized[0] as Archive, sized[sized.length - 1] as Archive];
    const rss = (archive: Archive, id: ToolId) => measured.find((m) => m.archive === archive && m.id === id)?.maxRssKiB;
    const grown = ratio(rss(large, 'pack139'), rss(small, 'pack139'));
    // The whole pack's state is what its windows hold (days), more than these archives span: it grows with them.
    if (grown !== undefined) rows.push(`| peak RSS (whole pack, state in memory): larger ÷ smaller archive (state grows until the rules' windows are covered; no target) | ${profile} ${(large.uncompressedBytes / 1e6).toFixed(0)} vs ${(small.uncompressedBytes / 1e6).toFixed(0)} MB | ${grown.toFixed(2)}× | — | — |`);
    for (const id of ['seed', 'pack'] as const) {
      const rss = (archive: Archive) => measured.find((m) => m.archive === archive && m.id === id)?.maxRssKiB;
      add(`peak RSS flat (${id === 'seed' ? 'packaged rule' : 'pack'}): larger ÷ smaller archive`, `${profile} ${(large.uncompressedBytes / 1e6).toFixed(0)} vs ${(small.uncompressedBytes / 1e6).toFixed(0)} MB`, ratio(rss(large), rss(small)), 1.1);
    }
  }
  return rows;
}

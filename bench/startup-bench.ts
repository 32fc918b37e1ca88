/**
 * The CLI start-up part of `npm run bench`: wall time of `cloudtrail-stream-detector` commands in fresh processes
 * against bare Node (`node -e ""`), all interleaved, medians, with each process's CPU time (report-cpu.js), which
 * load from other users of the machine hardly changes: the `--help` goal (under 100 ms) is judged on it. The CLI runs the JavaScript compiled into dist/ when it
 * is current (bin/compiled-build.js); the same commands from the TypeScript sources (tsx), as before the build or
 * after an edit, show what the compiled code saves.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { Row } from './lambda-bench';

const ROOT = resolve(__dirname, '..');
const REPORT_CPU = join(__dirname, 'report-cpu.js');
const CLI = join(ROOT, 'bin/cloudtrail-stream-detector.js');
const SAMPLE_TRAIL = join(ROOT, 'samples/trail');

/** Runs main() of the TypeScript sources through tsx, as the bin does when dist/ is missing or stale. */
const FROM_SOURCES = `require('tsx/cjs'); require(${JSON.stringify(join(ROOT, 'src/cli/main.ts'))}).main(process.argv.slice(1)).then((code) => { process.exitCode = code; });`;

interface Command {
  readonly label: string;
  readonly args: readonly string[];
  /** The goal, as a ratio to bare Node, or in milliseconds. */
  readonly goal?: string;
}

export function startupFigures(samples = 21): Row[] {
  const { currentCompiledFile } = require('../bin/compiled-build.js') as { currentCompiledFile(root: string, relativeJs: string): string | undefined };
  const compiled = currentCompiledFile(ROOT, 'src/cli/main.js') !== undefined;
  const scan = ['scan', '--quiet', SAMPLE_TRAIL];
  const commands: Command[] = [
    { label: '`--version` (start-up: the command line ready, nothing run)', args: [CLI, '--version'], goal: '≤ 1.5×' },
    { label: '`--help`', args: [CLI, '--help'], goal: '< 100 ms' },
    { label: '`scan samples/trail --no-enrich` (4 files, 15 records: start-up + rules + a small scan)', args: [CLI, ...scan.slice(0, 2), '--no-enrich', SAMPLE_TRAIL] },
    { label: '`scan samples/trail` (the same with GeoIP/ASN/user-agent enrichment, on by default)', args: [CLI, ...scan] },
    { label: '`--help` from the TypeScript sources (tsx: no build, or dist/ older than an edit)', args: ['-e', FROM_SOURCES, '--', '--help'] },
    { label: '`scan samples/trail` from the TypeScript sources', args: ['-e', FROM_SOURCES, '--', ...scan] },
  ];
  const bare = ['-e', ''];
  const times = new Map<readonly string[], { wall: number[]; cpu: number[] }>();
  for (const args of [bare, ...commands.map((command) => command.args)]) times.set(args, { wall: [], cpu: [] });
  for (let n = 0; n < samples; n += 1) {
    for (const [args, sample] of times) {
      const start = process.hrtime.bigint();
      const result = spawnSync(process.execPath, ['-r', REPORT_CPU, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
      sample.wall.push(Number(process.hrtime.bigint() - start) / 1e6);
      const cpu = /CPU_MS=([\d.]+)/.exec(result.stderr);
      if (result.status !== 0 || cpu === null) throw new Error(`node ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
      sample.cpu.push(Number(cpu[1]));
    }
  }
  const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const bareMs = median(times.get(bare)?.wall ?? []);
  const bareCpu = median(times.get(bare)?.cpu ?? []);
  return commands.map((command) => {
    const ms = median(times.get(command.args)?.wall ?? []);
    const cpu = median(times.get(command.args)?.cpu ?? []);
    const ratio = ms / bareMs;
    const goal = command.goal === undefined ? '' : `; goal ${command.goal}${command.goal.endsWith('ms') ? ' (CPU)' : ''}: ${(command.goal.endsWith('ms') ? cpu < 100 : ratio <= 1.5) ? 'holds' : 'missed'}`;
    return {
      measure: `CLI ${command.label}${command.args[0] === CLI && !compiled ? ' (dist/ not current: ran from sources)' : ''}, median of ${samples}, interleaved`,
      ours: `${ms.toFixed(0)} ms (CPU ${cpu.toFixed(0)} ms)`,
      baseline: `${bareMs.toFixed(0)} ms (CPU ${bareCpu.toFixed(0)} ms) (node -e "")`,
      ratio: `${ratio.toFixed(2)}× (CPU ${(cpu / bareCpu).toFixed(2)}×)${goal}`,
    };
  });
}

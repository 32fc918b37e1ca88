import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const CLI = join(REPO_ROOT, 'bin', 'cloudtrail-stream-detector.js');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as one JSON alert per line (parsed on first use, so help text on stdout is no problem). */
  readonly alerts: Record<string, any>[];
}

/** A stream that keeps everything written to it. */
export class TextSink extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString('utf8');
    callback();
  }
}

/** Runs main() in-process with captured stdout/stderr. */
export async function runCli(argv: readonly string[], cwd = REPO_ROOT): Promise<CliRun> {
  const stdout = new TextSink();
  const stderr = new TextSink();
  const code = await main(argv, { stdout, stderr, cwd });
  return withAlerts(code, stdout.text, stderr.text);
}

/** Runs the real executable as a child process. */
export function spawnCli(argv: readonly string[], cwd = REPO_ROOT): CliRun {
  const result = spawnSync(process.execPath, [CLI, ...argv], { cwd, encoding: 'utf8', timeout: 60_000 });
  return withAlerts(result.status ?? -1, result.stdout, result.stderr);
}

function withAlerts(code: number, stdout: string, stderr: string): CliRun {
  return {
    code,
    stdout,
    stderr,
    get alerts() {
      return parseAlerts(stdout);
    },
  };
}

export function parseAlerts(stdout: string): Record<string, any>[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, any>);
}

export const eventIds = (run: CliRun): string[] => run.alerts.map((alert) => alert.event.id as string);

/** A scratch directory with the given files (relative path → content); removed by the returned cleanup. */
export function scratchDirectory(files: Record<string, string | Uint8Array>): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'ctsd-cli-'));
  for (const [relative, content] of Object.entries(files)) {
    const file = join(path, relative);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * The CLI in a real terminal: `script` (util-linux, in Debian's essential bsdutils; .ci/run installs it if missing)
 * runs `npm start` and `scan --format table` on a pseudo-terminal that is both stdout and stderr, as in an
 * interactive shell. The captured bytes are replayed (test/cli/terminal-screen.ts) to check what a person sees: the
 * progress line is erased before every alert line and drawn again after it, and never left glued to other output.
 */
import { spawnSync } from 'node:child_process';
import { REPO_ROOT, runCli } from './cli-harness';
import { replayTerminal } from './terminal-screen';

const SUMMARY = 'scanned 4 files with 1 rule: 15 records, 1 digest skipped, 3 alerts (1 repeat suppressed), 0 errors';
const PROGRESS = /^\d+ objects?, \d+(\.\d)? [KM]?B, [\d,]+ records, \d+ alerts?, [\d.]+ objects\/s/;

function capture(command: string): string {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color' };
  delete env.NO_COLOR;
  const result = spawnSync('script', ['--quiet', '--flush', '--return', '--command', `stty cols 100 rows 50; ${command}`, '/dev/null'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  if (result.error !== undefined) throw new Error(`cannot run script (util-linux) for a terminal capture: ${result.error.message}`);
  expect(result.status).toBe(0);
  return result.stdout;
}

/** Progress draws in the capture: each one starts with carriage return + erase line. */
function progressDraws(raw: string): string[] {
  return raw
    .split('\r\x1b[K')
    .slice(1)
    .map((part) => part.split(/[\r\n]/)[0] as string)
    .filter((text) => PROGRESS.test(text));
}

describe('terminal capture', () => {
  it('npm start: alert lines and the summary are clean lines, the progress line steps aside and counts local bytes', () => {
    const raw = capture('npm start');
    const screen = replayTerminal(raw);
    const draws = progressDraws(raw);
    expect(draws.length).toBeGreaterThanOrEqual(3); // drawn, and drawn again after the alerts: the test sees it work
    expect(draws.every((draw) => !draw.includes(' 0 B,'))).toBe(true);
    // Never scrolled into the history, never glued to an alert; erased before the summary.
    expect(screen.committed.filter((line) => /objects\/s/.test(line))).toEqual([]);
    expect(screen.current).toBe('');
    const alerts = screen.committed.filter((line) => line.startsWith('{'));
    expect(alerts).toHaveLength(3);
    for (const line of alerts) expect(JSON.parse(line).kibana.alert.rule.name).toBe('AWS RDS Snapshot Export');
    expect(screen.committed.filter((line) => line !== '' && !line.startsWith('> ') && !line.startsWith('{'))).toEqual([SUMMARY]);
    // Redrawn after an alert: a line feed (the alert's end) directly followed by a fresh progress draw.
    expect(raw).toMatch(/\n\r\x1b\[K\d+ objects?, /);
  });

  it('scan --format table: exactly the table a pipe gets, within 100 columns, severity in colour', async () => {
    const raw = capture('node bin/cloudtrail-stream-detector.js scan --format table samples/trail');
    const screen = replayTerminal(raw);
    expect(progressDraws(raw).length).toBeGreaterThanOrEqual(3);
    const piped = await runCli(['scan', '--format', 'table', 'samples/trail']);
    expect(screen.committed).toEqual([...piped.stdout.trimEnd().split('\n'), SUMMARY]);
    expect(screen.current).toBe('');
    expect(Math.max(...screen.committed.map((line) => line.length))).toBeLessThanOrEqual(100);
    expect(raw).toContain('2026-11-20T03:12:48Z  \x1b[36mlow\x1b[0m');
  });
});

import { runAthena } from '../athena/athena-command';
import { parseArguments } from './args';
import type { CliIo } from './cli-io';
import { runScan } from './scan-command';
import { runRedrive } from './redrive/redrive-command';
import { HELP_TEXT, PROGRAM_NAME, USAGE } from './usage';

export type { CliIo } from './cli-io';

/**
 * The command line: `scan [--rules DIR] PATH...` and `--help`. Resolves to the exit code rather than exiting, so the
 * caller (bin/cloudtrail-stream-detector.js, or a test) decides what to do with it and pending output is flushed.
 */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const { stdout = process.stdout, stderr = process.stderr, cwd = process.cwd() } = io;
  if (argv[0] === 'redrive') return runRedrive(argv.slice(1), { stdout, stderr, cwd });
  if (argv[0] === 'athena') return runAthena(argv.slice(1), { stdout, stderr, cwd });
  const parsed = parseArguments(argv);
  switch (parsed.command) {
    case 'help':
      stdout.write(HELP_TEXT);
      return 0;
    case 'usage-error':
      stderr.write(`${PROGRAM_NAME}: ${parsed.message}\n${USAGE}\nRun '${PROGRAM_NAME} --help' for details.\n`);
      return 2;
    case 'scan':
      return runScan(parsed, { stdout, stderr, cwd });
  }
}

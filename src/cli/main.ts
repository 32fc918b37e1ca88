import { parseArguments } from './args';
import type { CliIo } from './cli-io';
import { printable } from './terminal-text';
import { HELP_TEXT, PROGRAM_NAME, USAGE } from './usage';

export type { CliIo } from './cli-io';

/**
 * The command line: `scan`, `redrive`, `athena` and `--help` (src/cli/usage.ts). Resolves to the exit code rather than exiting, so the
 * caller (bin/cloudtrail-stream-detector.js, or a test) decides what to do with it and pending output is flushed.
 */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const { stdout = process.stdout, stderr = process.stderr, cwd = process.cwd() } = io;
  // Each command is loaded when it is used: the SQS, Lambda and S3 clients cost start-up time a plain scan of local
  // files should not pay. `require`, not `import()`: the CLI runs its TypeScript through tsx's CommonJS hook.
  if (argv[0] === 'redrive') return (require('./redrive/redrive-command') as typeof import('./redrive/redrive-command')).runRedrive(argv.slice(1), { stdout, stderr, cwd });
  if (argv[0] === 'athena') return (require('../athena/athena-command') as typeof import('../athena/athena-command')).runAthena(argv.slice(1), { stdout, stderr, cwd });
  const parsed = parseArguments(argv);
  switch (parsed.command) {
    case 'help':
      stdout.write(HELP_TEXT);
      return 0;
    case 'usage-error':
      stderr.write(`${PROGRAM_NAME}: ${printable(parsed.message)}\n${USAGE}\nRun '${PROGRAM_NAME} --help' for details.\n`);
      return 2;
    case 'scan':
      return (require('./scan-command') as typeof import('./scan-command')).runScan(parsed, { stdout, stderr, cwd });
  }
}

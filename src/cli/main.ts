import { ATHENA_COMMAND } from '../athena/athena-command';
import { REPORT_COMMAND } from '../report/main';
import { SCAN_COMMAND } from './args';
import { BASELINE_COMMAND } from './baseline-command';
import type { CliIo } from './cli-io';
import { commandHelp, programHelp } from './command-help';
import type { CommandDeclaration, OptionTable } from './command-line';
import { REDRIVE_COMMAND } from './redrive/args';
import { runCommand } from './run-command';
import { printable } from './terminal-text';
import { packageVersion, PROGRAM_DESCRIPTION, PROGRAM_NAME } from './usage';

export type { CliIo } from './cli-io';

/**
 * The commands, in the order `--help` lists them. Each is one declaration (src/cli/command-line.ts) that holds its
 * options, help and examples and loads its implementation only when it runs.
 */
export const COMMANDS: readonly CommandDeclaration<OptionTable, unknown, CliIo>[] = [SCAN_COMMAND, BASELINE_COMMAND, ATHENA_COMMAND, REDRIVE_COMMAND, REPORT_COMMAND];

const GLOBAL_OPTIONS = [
  ['-h, --help', "show this help; COMMAND --help (or help COMMAND) shows a command's options and examples"],
  ['--version', 'print the version and exit'],
] as const;

/**
 * The command line. Resolves to the exit code rather than exiting, so the caller (bin/cloudtrail-stream-detector.js,
 * or a test) decides what to do with it and pending output is flushed.
 */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const { stdout = process.stdout, stderr = process.stderr, cwd = process.cwd(), stdin = process.stdin } = io;
  const streams: CliIo = { stdout, stderr, cwd, stdin };
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || (first === 'help' && rest.length === 0)) {
    stdout.write(programHelp(PROGRAM_NAME, PROGRAM_DESCRIPTION, COMMANDS, GLOBAL_OPTIONS));
    return 0;
  }
  if (first === '--version') {
    stdout.write(`${PROGRAM_NAME} ${packageVersion()}\n`);
    return 0;
  }
  if (first === 'help') {
    const command = COMMANDS.find((candidate) => candidate.name === rest[0]);
    if (command !== undefined) {
      stdout.write(commandHelp(PROGRAM_NAME, command));
      return 0;
    }
    return usageError(stderr, `no command '${rest[0]}'`);
  }
  if (first === undefined) return usageError(stderr, 'missing command');
  const command = COMMANDS.find((candidate) => candidate.name === first);
  if (command === undefined) return usageError(stderr, first.startsWith('-') ? `unknown option '${first}'` : `unknown command '${first}'`);
  return runCommand(command, rest, streams);
}

function usageError(stderr: NodeJS.WritableStream, message: string): number {
  const names = COMMANDS.map((command) => command.name).join(', ');
  stderr.write(`${PROGRAM_NAME}: ${printable(message)}\nUsage: ${PROGRAM_NAME} COMMAND [options] [arguments]   (COMMAND: ${names})\nRun '${PROGRAM_NAME} --help' for details.\n`);
  return 2;
}

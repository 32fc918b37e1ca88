/**
 * Runs one declared command (src/cli/command-line.ts) the same way for every door: `--help` on stdout, a usage error
 * as one message + the usage on stderr (exit 2), otherwise the command itself.
 */
import { commandHelp, usageLines } from './command-help';
import { parseCommandLine, type CommandDeclaration, type OptionTable } from './command-line';
import { printable } from './terminal-text';
import { PROGRAM_NAME } from './usage';

interface OutputStreams {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export async function runCommand<O extends OptionTable, A, Io extends OutputStreams>(
  command: CommandDeclaration<O, A, Io>,
  argv: readonly string[],
  io: Io,
  program = PROGRAM_NAME,
): Promise<number> {
  const line = parseCommandLine(command, argv);
  if (line.kind === 'help') {
    io.stdout.write(commandHelp(program, command));
    return 0;
  }
  if (line.kind === 'usage-error') {
    io.stderr.write(`${usageErrorText(program, command, line.message)}\n`);
    return 2;
  }
  return command.run(line.args, io);
}

/** `PROGRAM COMMAND: message`, the usage, and where to read more. */
export function usageErrorText(program: string, command: CommandDeclaration<OptionTable, unknown, never>, message: string): string {
  return `${program} ${command.name}: ${printable(message)}\n${usageLines(program, command)}\nRun '${program} ${command.name} --help' for the options and examples.`;
}

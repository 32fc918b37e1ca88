/** What the command line asked for, before anything is touched on disk. */
export type ParsedArguments =
  | { readonly command: 'help' }
  | { readonly command: 'scan'; readonly rulesDirectory?: string; readonly paths: readonly string[] }
  | { readonly command: 'usage-error'; readonly message: string };

const HELP_FLAGS = new Set(['-h', '--help']);

export function parseArguments(argv: readonly string[]): ParsedArguments {
  const [command, ...rest] = argv;
  if (command === undefined) return usageError('missing command');
  if (HELP_FLAGS.has(command) || command === 'help') return { command: 'help' };
  if (command !== 'scan') return usageError(`unknown command '${command}'`);
  return parseScanArguments(rest);
}

function parseScanArguments(args: readonly string[]): ParsedArguments {
  const paths: string[] = [];
  let rulesDirectory: string | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] as string;
    if (arg === '--') {
      paths.push(...args.slice(index + 1));
      break;
    }
    if (HELP_FLAGS.has(arg)) return { command: 'help' };
    if (arg === '--rules' || arg.startsWith('--rules=')) {
      if (rulesDirectory !== undefined) return usageError('--rules given more than once');
      const inline = arg.startsWith('--rules=') ? arg.slice('--rules='.length) : undefined;
      const value = inline ?? args[index + 1];
      if (value === undefined || value === '' || (inline === undefined && value.startsWith('-'))) {
        return usageError('--rules needs a directory');
      }
      rulesDirectory = value;
      if (inline === undefined) index += 1;
      continue;
    }
    // A lone '-' would mean stdin elsewhere; it is not supported, so it is reported rather than read as a file name.
    if (arg.startsWith('-')) return usageError(`unknown option '${arg}'`);
    paths.push(arg);
  }
  if (paths.length === 0) return usageError('scan needs at least one PATH');
  return rulesDirectory === undefined ? { command: 'scan', paths } : { command: 'scan', rulesDirectory, paths };
}

function usageError(message: string): ParsedArguments {
  return { command: 'usage-error', message };
}

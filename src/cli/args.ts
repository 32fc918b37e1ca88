import { isValidDate } from './s3/cloudtrail-key-layout';

/** `scan [options] PATH...`: PATH is a file, a directory or an s3://bucket/prefix location. */
export interface ScanArguments {
  readonly command: 'scan';
  readonly rulesDirectory?: string;
  readonly paths: readonly string[];
  /** Key filters for s3:// locations, dates YYYY-MM-DD (UTC, inclusive). */
  readonly since?: string;
  readonly until?: string;
  readonly accounts?: readonly string[];
  readonly regions?: readonly string[];
  /** S3 objects read at once (default 8). */
  readonly concurrency?: number;
  /** No progress line on stderr. */
  readonly quiet?: boolean;
  readonly format?: 'json' | 'table';
  /** Write alerts to this file instead of stdout. */
  readonly output?: string;
  /** Kibana exception list exports (`--exceptions FILE`, repeatable). */
  readonly exceptionFiles?: readonly string[];
  /** Apply every given list to every rule, not only to the rules whose `exceptions_list` names it. */
  readonly exceptionsForAll?: boolean;
  /** Per-object limit on (inflated) bytes, `--max-object-size` (default 256 MiB). */
  readonly maxObjectBytes?: number;
}

/** What the command line asked for, before anything is touched on disk. */
export type ParsedArguments =
  | { readonly command: 'help' }
  | ScanArguments
  | { readonly command: 'usage-error'; readonly message: string };

const HELP_FLAGS = new Set(['-h', '--help']);

export function parseArguments(argv: readonly string[]): ParsedArguments {
  const [command, ...rest] = argv;
  if (command === undefined) return usageError('missing command');
  if (HELP_FLAGS.has(command) || command === 'help') return { command: 'help' };
  if (command !== 'scan') return usageError(`unknown command '${command}'`);
  return parseScanArguments(rest);
}

const VALUE_OPTIONS = ['--rules', '--since', '--until', '--accounts', '--regions', '--concurrency', '--format', '--output', '--max-object-size'] as const;
type ValueOption = (typeof VALUE_OPTIONS)[number];

function parseScanArguments(args: readonly string[]): ParsedArguments {
  const paths: string[] = [];
  const values = new Map<ValueOption, string>();
  let quiet = false;
  const exceptionFiles: string[] = [];
  let exceptionsForAll = false;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] as string;
    if (arg === '--') {
      paths.push(...args.slice(index + 1));
      break;
    }
    if (HELP_FLAGS.has(arg)) return { command: 'help' };
    if (arg === '--quiet' || arg === '-q') {
      quiet = true;
      continue;
    }
    if (arg === '--exceptions-for-all') {
      exceptionsForAll = true;
      continue;
    }
    if (arg === '--exceptions' || arg.startsWith('--exceptions=')) {
      // Repeatable: each one names an export file.
      const inline = arg.startsWith('--exceptions=') ? arg.slice('--exceptions='.length) : undefined;
      const value = inline ?? args[index + 1];
      if (value === undefined || value === '' || (inline === undefined && value.startsWith('-'))) return usageError('--exceptions needs a file');
      exceptionFiles.push(value);
      if (inline === undefined) index += 1;
      continue;
    }
    const option = VALUE_OPTIONS.find((name) => arg === name || arg.startsWith(`${name}=`));
    if (option !== undefined) {
      if (values.has(option)) return usageError(`${option} given more than once`);
      const inline = arg.startsWith(`${option}=`) ? arg.slice(option.length + 1) : undefined;
      const value = inline ?? args[index + 1];
      if (value === undefined || value === '' || (inline === undefined && value.startsWith('-'))) {
        return usageError(`${option} needs ${VALUE_NAMES[option]}`);
      }
      values.set(option, value);
      if (inline === undefined) index += 1;
      continue;
    }
    // A lone '-' would mean stdin elsewhere; it is not supported, so it is reported rather than read as a file name.
    if (arg.startsWith('-')) return usageError(`unknown option '${arg}'`);
    paths.push(arg);
  }
  if (paths.length === 0) return usageError('scan needs at least one PATH');
  const options: { -readonly [K in keyof ScanArguments]: ScanArguments[K] } = { command: 'scan', paths };
  const rulesDirectory = values.get('--rules');
  if (rulesDirectory !== undefined) options.rulesDirectory = rulesDirectory;
  for (const name of ['--since', '--until'] as const) {
    const date = values.get(name);
    if (date === undefined) continue;
    if (!isValidDate(date)) return usageError(`${name} needs a date YYYY-MM-DD, not '${date}'`);
    options[name === '--since' ? 'since' : 'until'] = date;
  }
  if (options.since !== undefined && options.until !== undefined && options.since > options.until) {
    return usageError(`--since ${options.since} is after --until ${options.until}`);
  }
  const accounts = values.get('--accounts');
  if (accounts !== undefined) {
    const list = splitList(accounts);
    const bad = list.find((account) => !/^\d{12}$/.test(account));
    if (bad !== undefined || list.length === 0) return usageError(`--accounts needs 12-digit account ids separated by commas, not '${bad ?? accounts}'`);
    options.accounts = list;
  }
  const regions = values.get('--regions');
  if (regions !== undefined) {
    const list = splitList(regions);
    const bad = list.find((region) => !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region));
    if (bad !== undefined || list.length === 0) return usageError(`--regions needs region names separated by commas, not '${bad ?? regions}'`);
    options.regions = list;
  }
  const concurrency = values.get('--concurrency');
  if (concurrency !== undefined) {
    if (!/^\d+$/.test(concurrency) || Number(concurrency) < 1 || Number(concurrency) > 64) {
      return usageError(`--concurrency needs a whole number from 1 to 64, not '${concurrency}'`);
    }
    options.concurrency = Number(concurrency);
  }
  const format = values.get('--format');
  if (format !== undefined) {
    if (format !== 'json' && format !== 'table') return usageError(`--format needs 'json' or 'table', not '${format}'`);
    options.format = format;
  }
  const output = values.get('--output');
  if (output !== undefined) options.output = output;
  const maxObjectSize = values.get('--max-object-size');
  if (maxObjectSize !== undefined) {
    const bytes = parseSize(maxObjectSize);
    if (bytes === undefined) return usageError(`--max-object-size needs a size from 1M to 512M such as 256M or 64MiB, not '${maxObjectSize}'`);
    options.maxObjectBytes = bytes;
  }
  if (quiet) options.quiet = true;
  if (exceptionFiles.length > 0) options.exceptionFiles = exceptionFiles;
  if (exceptionsForAll) {
    if (exceptionFiles.length === 0) return usageError('--exceptions-for-all needs at least one --exceptions FILE');
    options.exceptionsForAll = true;
  }
  return options;
}

const VALUE_NAMES: Record<ValueOption, string> = {
  '--rules': 'a directory',
  '--since': 'a date YYYY-MM-DD',
  '--until': 'a date YYYY-MM-DD',
  '--accounts': 'account ids, comma-separated',
  '--regions': 'region names, comma-separated',
  '--concurrency': 'a number',
  '--format': "'json' or 'table'",
  '--output': 'a file',
  '--max-object-size': 'a size such as 256M',
};

/**
 * `256M`, `64MiB`, `1G`, `524288K`, or bytes: at least 1 MiB, at most 512 MiB (V8 cannot hold more of one object as
 * text). K, M, G are binary (KiB, MiB, GiB).
 */
function parseSize(text: string): number | undefined {
  const match = /^(\d+)\s*(?:([KMG])(?:i?B)?|B)?$/i.exec(text.trim());
  if (!match) return undefined;
  const bytes = Number(match[1]) * 1024 ** ({ K: 1, M: 2, G: 3 }[(match[2] ?? '').toUpperCase() as 'K' | 'M' | 'G'] ?? 0);
  return bytes >= 1024 ** 2 && bytes <= 512 * 1024 ** 2 ? bytes : undefined;
}

function splitList(text: string): string[] {
  return [...new Set(text.split(',').map((item) => item.trim()).filter((item) => item !== ''))];
}

function usageError(message: string): ParsedArguments {
  return { command: 'usage-error', message };
}

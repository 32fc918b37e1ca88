import type { CliIo } from './cli-io';
import { flag, repeatableOption, UsageError, valueOption, type CommandDeclaration, type OptionValues } from './command-line';
import { isValidDate } from './s3/cloudtrail-key-layout';

/** The operand that means standard input. */
export const STDIN_OPERAND = '-';

/**
 * Options of `scan`. Each key is the property `runScan` reads (src/cli/scan-command.ts); the flag is the key in kebab
 * case unless `long` says otherwise. A new option is one entry here, read where it is used.
 */
export const SCAN_OPTIONS = {
  rulesDirectory: valueOption('DIR', 'use the Elastic-format TOML rules in DIR instead of the packaged rules', { long: 'rules' }),
  since: valueOption('YYYY-MM-DD', 's3:// only: read the days from this one (UTC, inclusive)', { parse: parseDate }),
  until: valueOption('YYYY-MM-DD', 's3:// only: read the days up to this one (UTC, inclusive)', { parse: parseDate }),
  accounts: valueOption('A,B', 's3:// only: these 12-digit accounts (other account folders are not listed)', { parse: parseAccounts }),
  regions: valueOption('R1,R2', 's3:// only: these regions (other region folders are not listed)', { parse: parseRegions }),
  concurrency: valueOption('N', 'S3 objects read at once, 1 to 64 (default 8)', { parse: parseConcurrency }),
  format: valueOption<'json' | 'table'>('json|table', 'one JSON alert per line (default), or a table for people', { parse: parseFormat }),
  output: valueOption('FILE', 'write alerts to FILE (created or truncated) instead of stdout', { short: 'o' }),
  exceptionFiles: repeatableOption(
    'FILE',
    'apply the Kibana exception list export FILE to the rules whose exceptions_list names its lists; suppressed ' +
      'matches go to stderr ("suppressed: ..."), not stdout',
    { long: 'exceptions' },
  ),
  exceptionsForAll: flag('apply every --exceptions list to every rule'),
  maxObjectSize: valueOption(
    'SIZE',
    'read at most SIZE of each object\'s content, inflated (256M by default; 1M to 512M, K/M/G binary): past it one ' +
      'error names the object, and the records before the limit are still scanned',
    { parse: parseSize },
  ),
  stateIn: valueOption(
    'FILE',
    'start new_terms and threshold rules from the state FILE a previous scan saved with --state-out, so a hunt ' +
      'continues where it stopped (sightings, counts and the baseline carry over)',
  ),
  stateOut: valueOption('FILE', "save the new_terms and threshold rules' state to FILE at the end (also after Ctrl-C), for --state-in"),
  quiet: flag('no progress line on stderr (it is only drawn when stderr is a terminal)', { short: 'q' }),
  geoipDatabase: valueOption(
    'FILE',
    'your GeoLite2/GeoIP2 City or Country .mmdb for source.geo.* (default: the shipped country database; city, region ' +
      'and location need a City database; docs/enrichment.md)',
  ),
  asnDatabase: valueOption('FILE', 'your GeoLite2/GeoIP2 ASN .mmdb for source.as.* (default: the shipped ASN database)'),
  noEnrich: flag('no GeoIP, ASN or parsed user-agent fields (raw speed; rules reading them then see them missing)'),
} as const;

/** `scan [options] PATH...`: what the command line asked for, before anything is touched on disk. */
export type ScanArguments = OptionValues<typeof SCAN_OPTIONS> & {
  readonly command: 'scan';
  /** Files, directories, s3:// locations, and `-` for standard input. */
  readonly paths: readonly string[];
};

export const SCAN_COMMAND: CommandDeclaration<typeof SCAN_OPTIONS, ScanArguments, CliIo> = {
  name: 'scan',
  summary: 'scan CloudTrail files (on disk, in S3 or on standard input) with the rules; print alerts',
  usage: ['scan [options] PATH...'],
  description: `Scans CloudTrail data with the detection rules and prints one JSON alert per line on stdout: the same
alert document the Lambda publishes as the SNS "default" message (or a table with --format table).

Each (rule, CloudTrail eventID) pair alerts once per run, however many files repeat the event (new_terms and
threshold rules: once per term or group). new_terms and threshold rules keep their state in memory over the
run's own records, in the order read (file order, then record order), with event time; state older than a
rule's window is dropped as the scan moves on (docs/stateful-rules.md). Rules with
[rule.alert_suppression] suppress repeats within their window over event time, in input order; each suppressed
match is one "suppressed: ..." line on stderr (docs/exceptions.md). Problems with inputs go to stderr as
"path:position: message"; an input that holds no CloudTrail record is named ("path: no CloudTrail records"). A
summary line on stderr ends the run, and while it runs a progress line is drawn on stderr when it is a terminal.`,
  operands: {
    name: 'PATH',
    min: 1,
    help:
      'a file, or a directory read recursively in name order (hidden entries skipped); s3://bucket/prefix for the ' +
      'CloudTrail objects under it (standard AWS settings: AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_S3); - for ' +
      'standard input. Files may hold a CloudTrail log {"Records": [...]} (gzipped or not), a single record, an ' +
      'EventBridge "AWS API Call via CloudTrail" event, a JSON array of those, or JSON Lines of any of them. Digest ' +
      'files and Insight folders are recognised and skipped.',
  },
  options: SCAN_OPTIONS,
  examples: [
    { command: 'scan samples/trail', explanation: 'scan the sample trail shipped with the project (what `npm start` runs)' },
    { command: 'scan --format table ~/Downloads/AWSLogs', explanation: 'a table for people: time, severity, account, region, rule, who, what' },
    { command: 'scan --since 2026-11-01 --regions us-east-1 s3://trail-bucket/', explanation: 'only the folders of those days and that region in the trail bucket' },
    { command: 'scan - < events.jsonl', explanation: 'records or EventBridge events from standard input' },
    { command: 'scan --exceptions backups.ndjson -o alerts.jsonl trail/', explanation: 'apply a Kibana exception list export; alerts go to a file' },
    {
      command: 'scan --rules detection-rules/rules/integrations/aws --state-out week1.state s3://trail/AWSLogs/ --since 2026-11-01 --until 2026-11-07',
      explanation: "Elastic's AWS pack, new_terms and threshold rules included; save their state for the next week's hunt (--state-in week1.state)",
    },
  ],
  notes: `Exit status: 0 every input was read; 1 some input could not be read; 2 usage error or unusable rules;
130 interrupted (Ctrl-C: reads in flight are aborted and the summary is printed).

Colour (severity in the table) only on a terminal; NO_COLOR=1 or TERM=dumb turns it off.`,
  build(options, paths) {
    if (options.since !== undefined && options.until !== undefined && options.since > options.until) {
      throw new UsageError(`--since ${options.since} is after --until ${options.until}`);
    }
    if (options.exceptionsForAll && options.exceptionFiles === undefined) {
      throw new UsageError('--exceptions-for-all needs at least one --exceptions FILE');
    }
    if (paths.filter((path) => path === STDIN_OPERAND).length > 1) throw new UsageError(`${STDIN_OPERAND} (standard input) given more than once`);
    if (options.noEnrich && (options.geoipDatabase !== undefined || options.asnDatabase !== undefined)) {
      throw new UsageError('--no-enrich turns enrichment off: it cannot be combined with --geoip-database or --asn-database');
    }
    return { command: 'scan', ...options, paths };
  },
  run(args, io) {
    return (require('./scan-command') as typeof import('./scan-command')).runScan(args, io);
  },
};

export function parseDate(text: string, flag: string): string {
  if (!isValidDate(text)) throw new UsageError(`${flag} needs a date YYYY-MM-DD, not '${text}'`);
  return text;
}

function parseAccounts(text: string, flag: string): readonly string[] {
  const list = splitList(text);
  const bad = list.find((account) => !/^\d{12}$/.test(account));
  if (bad !== undefined || list.length === 0) throw new UsageError(`${flag} needs 12-digit account ids separated by commas, not '${bad ?? text}'`);
  return list;
}

function parseRegions(text: string, flag: string): readonly string[] {
  const list = splitList(text);
  const bad = list.find((region) => !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region));
  if (bad !== undefined || list.length === 0) throw new UsageError(`${flag} needs region names separated by commas, not '${bad ?? text}'`);
  return list;
}

function parseConcurrency(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 64) throw new UsageError(`${flag} needs a whole number from 1 to 64, not '${text}'`);
  return Number(text);
}

function parseFormat(text: string, flag: string): 'json' | 'table' {
  if (text !== 'json' && text !== 'table') throw new UsageError(`${flag} needs 'json' or 'table', not '${text}'`);
  return text;
}

/**
 * `256M`, `64MiB`, `1G`, `524288K`, or bytes: at least 1 MiB, at most 512 MiB (V8 cannot hold more of one object as
 * text). K, M, G are binary (KiB, MiB, GiB). The value is in bytes.
 */
function parseSize(text: string, flag: string): number {
  const match = /^(\d+)\s*(?:([KMG])(?:i?B)?|B)?$/i.exec(text.trim());
  const bytes = match ? Number(match[1]) * 1024 ** ({ K: 1, M: 2, G: 3 }[(match[2] ?? '').toUpperCase() as 'K' | 'M' | 'G'] ?? 0) : Number.NaN;
  if (!(bytes >= 1024 ** 2 && bytes <= 512 * 1024 ** 2)) throw new UsageError(`${flag} needs a size from 1M to 512M such as 256M or 64MiB, not '${text}'`);
  return bytes;
}

function splitList(text: string): string[] {
  return [...new Set(text.split(',').map((item) => item.trim()).filter((item) => item !== ''))];
}

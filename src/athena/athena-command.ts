import type { CliIo } from '../cli/cli-io';
import { flag, UsageError, valueOption, type CommandDeclaration } from '../cli/command-line';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

const ATHENA_OPTIONS = {
  rules: valueOption('DIR', 'translate the Elastic-format TOML rules in DIR instead of the packaged rules'),
  database: valueOption('NAME', 'Glue database of the CloudTrail table (default: default)'),
  table: valueOption('NAME', 'the CloudTrail table (default: cloudtrail_logs)'),
  since: valueOption('YYYY-MM-DD', 'queries: only days from this one (partition filter); with --ddl: first day of the partition projection (default 2020-01-01)', { parse: parseDay }),
  until: valueOption('YYYY-MM-DD', 'queries: only days up to this one (partition filter)', { parse: parseDay }),
  ddl: flag('print the CREATE TABLE statement for the trail instead of the queries (needs --bucket and --prefix)'),
  bucket: valueOption('BUCKET', 'with --ddl: the bucket CloudTrail delivers to'),
  prefix: valueOption('PREFIX', "with --ddl: one trail region folder's key prefix, e.g. AWSLogs/111122223333/CloudTrail/eu-west-1"),
} as const;

export interface AthenaArguments {
  readonly ddl: boolean;
  readonly rules?: string;
  readonly database: string;
  readonly table: string;
  readonly since?: string;
  readonly until?: string;
  readonly bucket?: string;
  readonly prefix?: string;
}

export const ATHENA_COMMAND: CommandDeclaration<typeof ATHENA_OPTIONS, AthenaArguments, CliIo> = {
  name: 'athena',
  summary: 'translate the rules (query, new_terms, threshold) into Athena SQL over the CloudTrail table (or print its DDL)',
  usage: [
    'athena [--rules DIR] [--database NAME] [--table NAME] [--since YYYY-MM-DD] [--until YYYY-MM-DD]',
    'athena --ddl --bucket BUCKET --prefix PREFIX [--database NAME] [--table NAME] [--since YYYY-MM-DD]',
  ],
  description: `Prints one Athena (Trino) SELECT per rule, over the CloudTrail table Athena reads from the trail's
bucket, so past activity can be searched with the same rules (docs/athena.md): query rules as a filter, new_terms
rules as first sightings over their history window, threshold rules as counts over their window that start again
after each alert (row pattern recognition), all for the trail in event-time order. Rules that cannot be
translated are named on stderr with the reason; their SQL is printed as a comment. With --ddl, prints the
CREATE TABLE statement for that table instead (AWS's documented CloudTrail table, partition projection by day).`,
  options: ATHENA_OPTIONS,
  examples: [
    {
      command: 'athena --ddl --bucket my-trail-bucket --prefix AWSLogs/111122223333/CloudTrail/eu-west-1 > table.sql',
      explanation: 'the table to create once in Athena, over one account and region folder',
    },
    {
      command: 'athena --since 2026-11-01 --until 2026-11-30 > hunt.sql',
      explanation: "one SELECT per packaged rule, reading only November's partitions",
    },
  ],
  notes: 'Exit status: 0 printed (some rules may not be translated: see stderr); 2 usage error or unusable rules.',
  build(options) {
    if (options.ddl && (options.bucket === undefined || options.prefix === undefined)) throw new UsageError('--ddl needs --bucket and --prefix');
    if (!options.ddl && (options.bucket !== undefined || options.prefix !== undefined)) throw new UsageError('--bucket and --prefix go with --ddl');
    return { ...options, ddl: options.ddl === true, database: options.database ?? 'default', table: options.table ?? 'cloudtrail_logs' };
  },
  run(args, io) {
    // Loaded when the command runs: --help and usage errors need none of the rule engine.
    return (require('./run-athena') as typeof import('./run-athena')).runAthena(args, io);
  },
};

function parseDay(text: string, flag: string): string {
  if (!DAY.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) throw new UsageError(`${flag} must be a date YYYY-MM-DD`);
  return text;
}

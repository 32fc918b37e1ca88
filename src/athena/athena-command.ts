import { resolve } from 'node:path';
import { loadRulePack, RuleFileError } from '../engine/rules';
import type { CliIo } from '../cli/cli-io';
import { printable, printableError } from '../cli/terminal-text';
import { cloudTrailTableDdl } from './ddl';
import { translateRule } from './rule-query';

const PROGRAM = 'cloudtrail-stream-detector athena';
export const ATHENA_USAGE =
  'Usage: cloudtrail-stream-detector athena [--rules DIR] [--database NAME] [--table NAME] [--since YYYY-MM-DD] [--until YYYY-MM-DD]\n' +
  '       cloudtrail-stream-detector athena --ddl --bucket BUCKET --prefix PREFIX [--database NAME] [--table NAME] [--since YYYY-MM-DD]';
const PACKAGED_RULES_DIRECTORY = resolve(__dirname, '..', '..', 'rules');
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const VALUE_OPTIONS = new Set(['--rules', '--table', '--database', '--since', '--until', '--bucket', '--prefix']);

interface AthenaArguments {
  ddl: boolean;
  values: Map<string, string>;
}

function parse(argv: readonly string[]): AthenaArguments | string {
  const values = new Map<string, string>();
  let ddl = false;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    if (arg === '--ddl') {
      ddl = true;
      continue;
    }
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!VALUE_OPTIONS.has(name)) return `unknown argument '${arg}'`;
    const value = inline ?? argv[++index];
    if (value === undefined || value === '') return `${name} needs a value`;
    if (values.has(name)) return `${name} given more than once`;
    values.set(name, value);
  }
  for (const name of ['--since', '--until']) {
    const value = values.get(name);
    if (value !== undefined && (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))) return `${name} must be a date YYYY-MM-DD`;
  }
  if (ddl && (!values.has('--bucket') || !values.has('--prefix'))) return '--ddl needs --bucket and --prefix';
  if (!ddl && (values.has('--bucket') || values.has('--prefix'))) return '--bucket and --prefix go with --ddl';
  return { ddl, values };
}

/** `athena`: prints Athena SQL for each query rule (or the table DDL); untranslatable rules are named on stderr. */
export async function runAthena(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(`${ATHENA_USAGE}\n`);
    return 0;
  }
  const parsed = parse(argv);
  if (typeof parsed === 'string') {
    io.stderr.write(`${PROGRAM}: ${printable(parsed)}\n${ATHENA_USAGE}\n`);
    return 2;
  }
  const database = parsed.values.get('--database') ?? 'default';
  const table = parsed.values.get('--table') ?? 'cloudtrail_logs';
  if (parsed.ddl) {
    io.stdout.write(
      cloudTrailTableDdl({
        database,
        table,
        bucket: parsed.values.get('--bucket') as string,
        prefix: parsed.values.get('--prefix') as string,
        projectionStart: (parsed.values.get('--since') ?? '2020-01-01').replace(/-/g, '/'),
      }),
    );
    return 0;
  }
  const rulesOption = parsed.values.get('--rules');
  const directory = rulesOption === undefined ? PACKAGED_RULES_DIRECTORY : resolve(io.cwd, rulesOption);
  let pack;
  try {
    pack = loadRulePack(directory);
  } catch (error) {
    if (error instanceof RuleFileError) {
      io.stderr.write(`${PROGRAM}: ${printableError(error)}\n`);
      return 2;
    }
    throw error;
  }
  let translated = 0;
  let untranslated = 0;
  const outputs: string[] = [];
  for (const rule of pack.rules) {
    if (rule.type !== 'query') {
      io.stderr.write(`${PROGRAM}: skipped "${printable(rule.name)}" (${printable(rule.sourceFile)}): type ${rule.type} is not a query rule\n`);
      continue;
    }
    const result = translateRule(rule, { database, table, since: parsed.values.get('--since'), until: parsed.values.get('--until') });
    outputs.push(result.sql);
    if (result.ok) translated++;
    else {
      untranslated++;
      io.stderr.write(`${PROGRAM}: not translated "${printable(rule.name)}" (${printable(rule.sourceFile)}): ${printable(result.reason)}\n`);
    }
  }
  for (const rule of pack.unsupported) {
    io.stderr.write(`${PROGRAM}: skipped "${printable(rule.name)}" (${printable(rule.file)}): type ${rule.type} is not a query rule\n`);
  }
  io.stdout.write(outputs.join('\n'));
  io.stderr.write(`${PROGRAM}: ${translated} query rule(s) translated, ${untranslated} not translated\n`);
  return 0;
}

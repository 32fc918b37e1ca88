import { join, resolve } from 'node:path';
import { packageRoot } from '../../lib/package-paths';
import { loadRulePack, RuleFileError } from '../engine/rules';
import type { CliIo } from '../cli/cli-io';
import { printable, printableError } from '../cli/terminal-text';
import type { AthenaArguments } from './athena-command';
import { cloudTrailTableDdl } from './ddl';
import { translateRule } from './rule-query';

const PROGRAM = 'cloudtrail-stream-detector athena';
const PACKAGED_RULES_DIRECTORY = join(packageRoot(), 'rules');

/** `athena`: prints Athena SQL for each query, eql, new_terms and threshold rule (or the table DDL); untranslatable rules are named on stderr. */
export async function runAthena(parsed: AthenaArguments, io: CliIo): Promise<number> {
  const { database, table } = parsed;
  if (parsed.ddl) {
    io.stdout.write(
      cloudTrailTableDdl({
        database,
        table,
        bucket: parsed.bucket as string,
        prefix: parsed.prefix as string,
        projectionStart: (parsed.since ?? '2020-01-01').replace(/-/g, '/'),
      }),
    );
    return 0;
  }
  const rulesOption = parsed.rules;
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
    const result = translateRule(rule, { database, table, since: parsed.since, until: parsed.until });
    outputs.push(result.sql);
    if (result.ok) translated++;
    else {
      untranslated++;
      io.stderr.write(`${PROGRAM}: not translated "${printable(rule.name)}" (${printable(rule.sourceFile)}): ${printable(result.reason)}\n`);
    }
  }
  for (const rule of pack.unsupported) {
    io.stderr.write(`${PROGRAM}: skipped "${printable(rule.name)}" (${printable(rule.file)}): ${rule.type} rules are not translated (only query, eql, new_terms and threshold rules)\n`);
  }
  io.stdout.write(outputs.join('\n'));
  io.stderr.write(`${PROGRAM}: ${translated} rule(s) translated, ${untranslated} not translated\n`);
  return 0;
}

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exceptionPackToJson, parseExceptionListExport, resolveRuleExceptions } from '../../src/engine/exceptions';
import { loadRuleDirectory, rulePackToJson, type DetectionRule } from '../../src/engine/rules';

const REPO_ROOT = path.resolve(__dirname, '../..');
export const SEED_RULE_ID = '119c8877-8613-416d-a98a-96b6664ee73a';
export const NIGHTLY_BACKUP_EXPORT = path.join(REPO_ROOT, 'test/fixtures/exceptions/nightly-backup.ndjson');
export const NIGHTLY_LIST_ID = 'nightly-backup-exceptions';
export const NIGHTLY_ITEM_ID = 'nightly-backup-rds-export';

/** The hand-written Kibana export, its lines as objects (for variants: expired item, missing owner, ...). */
export function nightlyBackupLines(): Record<string, any>[] {
  return readFileSync(NIGHTLY_BACKUP_EXPORT, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, any>);
}

export function toNdjson(lines: readonly object[]): string {
  return `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;
}

/** 30 days from now: the fixture's own expire_time would make these tests fail once it passes. */
export function inThirtyDays(): string {
  return new Date(Date.now() + 30 * 86_400_000).toISOString();
}

/** The export with the nightly-backup item's expire_time changed. */
export function nightlyBackupExportExpiring(expireTime: string): string {
  return toNdjson(nightlyBackupLines().map((line) => (line.item_id === NIGHTLY_ITEM_ID ? { ...line, expire_time: expireTime } : line)));
}

export interface TempFile {
  readonly path: string;
  readonly directory: string;
  remove(): void;
}

export function tempFile(name: string, text: string): TempFile {
  const directory = mkdtempSync(path.join(tmpdir(), 'exceptions-test-'));
  const file = path.join(directory, name);
  writeFileSync(file, text);
  return { path: file, directory, remove: () => rmSync(directory, { recursive: true, force: true }) };
}

/** `exceptions.json` as the synth packages it: the repository's rules, the export, the seed rule mapped to its list. */
export function writeExceptionPack(exportText = readFileSync(NIGHTLY_BACKUP_EXPORT, 'utf8')): TempFile {
  const rules = loadRuleDirectory(path.join(REPO_ROOT, 'rules'));
  const lists = parseExceptionListExport(exportText, 'exceptions/nightly-backup.ndjson');
  return tempFile('exceptions.json', exceptionPackToJson(resolveRuleExceptions(rules, lists, { [SEED_RULE_ID]: [NIGHTLY_LIST_ID] })));
}

/** Suppression of the seed rule per user and snapshot. */
export const SNAPSHOT_SUPPRESSION: NonNullable<DetectionRule['alertSuppression']> = {
  groupBy: ['user.name', 'aws.cloudtrail.flattened.request_parameters.sourceArn'],
  duration: { value: 2, unit: 's' },
  missingFieldsStrategy: 'suppress',
};

/** The repository's rules as a rule pack, the seed rule with alert suppression. */
export function writeSuppressingRulePack(suppression = SNAPSHOT_SUPPRESSION): TempFile {
  const rules = loadRuleDirectory(path.join(REPO_ROOT, 'rules')).map((rule) => (rule.ruleId === SEED_RULE_ID ? { ...rule, alertSuppression: suppression } : rule));
  return tempFile('rules.json', rulePackToJson(rules));
}

/** A StartExportTask record by the nightly-backup role to the corp-exports bucket (what the exception item describes). */
export function nightlyBackupRecord(base: Record<string, any>, eventId: string): Record<string, any> {
  const record = structuredClone(base);
  record.eventID = eventId;
  record.userIdentity.principalId = 'AROA5EXAMPLENIGHTLY01:nightly-backup';
  record.userIdentity.arn = 'arn:aws:sts::123456789012:assumed-role/nightly-backup/nightly-backup';
  record.userIdentity.sessionContext.sessionIssuer.arn = 'arn:aws:iam::123456789012:role/nightly-backup';
  record.userIdentity.sessionContext.sessionIssuer.userName = 'nightly-backup';
  record.userIdentity.sessionContext.sessionIssuer.principalId = 'AROA5EXAMPLENIGHTLY01';
  record.requestParameters.s3BucketName = 'corp-exports';
  return record;
}

import { App } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DetectorStack } from '../../lib/detector-stack';
import { formatExceptionRow } from '../../lib/exception-pack-file';
import { renderReport } from '../../src/report/report';
import { synthesizeForReport } from '../../src/report/synthesize';
import { inThirtyDays, nightlyBackupExportExpiring, nightlyBackupLines, SEED_RULE_ID, toNdjson } from '../support/exception-fixtures';
import { projectContext, synthesizeDetector } from '../support/synthesize-detector';

const MAPPING = JSON.stringify({ [SEED_RULE_ID]: ['nightly-backup-exceptions'] });

describe('rule exceptions at synth', () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'synth-exceptions-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  /** The stack without bundling the function (the exception checks run before it). */
  const stackWith = (context: Record<string, unknown>) =>
    new DetectorStack(new App({ context: projectContext({ 'aws:cdk:bundling-stacks': [], alertEmails: 'a@example.com', ...context }) }), 'Detector');

  const exportWith = (transform: (item: Record<string, any>) => Record<string, any>): void => {
    const lines = nightlyBackupLines().map((line) => (line.item_id === 'nightly-backup-rds-export' ? transform({ ...line, expire_time: inThirtyDays() }) : line));
    writeFileSync(join(directory, 'nightly-backup.ndjson'), toNdjson(lines));
  };

  it('packages the resolved lists as exceptions.json and describes every exception (owner, reason, expiry, days left)', () => {
    writeFileSync(join(directory, 'nightly-backup.ndjson'), nightlyBackupExportExpiring(inThirtyDays()));
    writeFileSync(join(directory, 'README.md'), 'not an export: ignored');
    const synthesized = synthesizeDetector({ alertEmails: 'a@example.com', exceptionsDir: directory, exceptionMapping: MAPPING });
    const pack = JSON.parse(readFileSync(join(synthesized.bundleDirectory, 'exceptions.json'), 'utf8'));
    expect(pack.format).toBe('cloudtrail-stream-detector/exception-pack');
    expect(pack.rules).toEqual([
      expect.objectContaining({ ruleId: SEED_RULE_ID, lists: [expect.objectContaining({ via: ['mapping'], list: expect.objectContaining({ listId: 'nightly-backup-exceptions' }) })] }),
    ]);
    const described = (synthesized.stack as DetectorStack).exceptions.rows.filter((row) => row.itemId === 'nightly-backup-rds-export').map(formatExceptionRow);
    expect(described).toHaveLength(1);
    expect(described[0]).toMatch(/on rule "AWS RDS Snapshot Export"/);
    expect(described[0]).toMatch(/user\.name is "nightly-backup" AND /);
    expect(described[0]).toMatch(/owner data-platform; expires \S+ \((?:29|30) days left\); reason: The nightly-backup role exports the orders snapshot/);
    // The synth itself says nothing about exceptions in force: they are listed by the audit report.
    expect(Annotations.fromStack(synthesized.stack).findInfo('*', Match.anyValue())).toEqual([]);
    expect(synthesized.template.findResources('AWS::Lambda::Function')).toBeDefined();
    const environment = Object.values(synthesized.template.findResources('AWS::Lambda::Function'))[0].Properties.Environment.Variables;
    expect(environment.ALERT_SUPPRESSION_PREFIX).toBe('suppression/');
  });

  it('lists every exception in the audit report with owner, reason and expiry', () => {
    writeFileSync(join(directory, 'nightly-backup.ndjson'), nightlyBackupExportExpiring(inThirtyDays()));
    const report = renderReport(synthesizeForReport({ alertEmails: 'a@example.com', exceptionsDir: directory, exceptionMapping: MAPPING }));
    const section = report.slice(report.indexOf('### 1.4 Exceptions'), report.indexOf('## 2.'));
    expect(section).toContain('| Rule | Exception (list / item) | Conditions | Owner | Reason | Expires | Days left | Never expires |');
    const row = section.split('\n').find((line) => line.includes('nightly-backup-rds-export'))!;
    expect(row).toContain('| data-platform |');
    expect(row).toContain('CHG-4711');
    expect(row).toMatch(/\| `\d{4}-\d\d-\d\dT[^`]+` \| (29|30) \| no \|$/);
    // The staging item of the same list is listed too, expired or not.
    expect(section).toContain('staging-refresh');
  });

  it('fails on an item without owner, naming file, line and field', () => {
    exportWith(({ created_by: _createdBy, ...item }) => ({ ...item, tags: [] }));
    expect(() => stackWith({ exceptionsDir: directory, exceptionMapping: MAPPING })).toThrow(
      /nightly-backup\.ndjson:2: created_by: item "nightly-backup-rds-export" has no owner/,
    );
  });

  it('fails on an item without reason, and on one without expiry unless allowExceptionsWithoutExpiry', () => {
    exportWith((item) => ({ ...item, comments: [] }));
    expect(() => stackWith({ exceptionsDir: directory, exceptionMapping: MAPPING })).toThrow(/nightly-backup\.ndjson:2: comments: item "nightly-backup-rds-export" has no reason/);

    exportWith(({ expire_time: _expiry, ...item }) => item);
    expect(() => stackWith({ exceptionsDir: directory, exceptionMapping: MAPPING })).toThrow(/nightly-backup\.ndjson:2: expire_time: item "nightly-backup-rds-export" never expires/);
    const stack = stackWith({ exceptionsDir: directory, exceptionMapping: MAPPING, allowExceptionsWithoutExpiry: 'true' });
    expect(stack.exceptions.rows.filter((row) => row.itemId === 'nightly-backup-rds-export').map(formatExceptionRow)[0]).toContain('NEVER EXPIRES');
    expect(stack.exceptions.resolved[0].items.find((item) => item.itemId === 'nightly-backup-rds-export')?.neverExpires).toBe(true);
  });

  it('fails on a malformed line and on unknown list ids or rules in the mapping', () => {
    writeFileSync(join(directory, 'broken.ndjson'), '{"list_id": "x", "name": "x", "type": "detection"\n');
    expect(() => stackWith({ exceptionsDir: directory })).toThrow(/broken\.ndjson:1: /);
    rmSync(join(directory, 'broken.ndjson'));
    writeFileSync(join(directory, 'nightly-backup.ndjson'), nightlyBackupExportExpiring(inThirtyDays()));
    expect(() => stackWith({ exceptionsDir: directory, exceptionMapping: JSON.stringify({ [SEED_RULE_ID]: ['no-such-list'] }) })).toThrow(/exception list "no-such-list", but no such list is loaded/);
    expect(() => stackWith({ exceptionsDir: directory, exceptionMapping: '{"not-a-rule": ["nightly-backup-exceptions"]}' })).toThrow(/names rule "not-a-rule", which is not loaded/);
    expect(() => stackWith({ exceptionsDir: directory, exceptionMapping: 'nope' })).toThrow(/exceptionMapping: must be a JSON object/);
  });

  it('ships no active exception by default', () => {
    const stack = stackWith({});
    expect(stack.exceptions.files).toEqual([]);
    expect(stack.exceptions.resolved.every((rule) => rule.lists.length === 0)).toBe(true);
  });
});

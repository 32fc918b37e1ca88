import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCAN_COMMAND } from '../../src/cli/args';
import { parseCommandLine } from '../../src/cli/command-line';
import {
  inThirtyDays,
  nightlyBackupExportExpiring,
  nightlyBackupLines,
  nightlyBackupRecord,
  NIGHTLY_BACKUP_EXPORT,
  toNdjson,
} from '../support/exception-fixtures';
import { REPO_ROOT, runCli } from './cli-harness';

const BASE = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/events/start-export-task-assumed-role.json'), 'utf8')).detail as Record<string, any>;
const RULE_NAME = 'AWS RDS Snapshot Export';

function engineerRecord(eventId: string, eventTime: string): Record<string, any> {
  return { ...structuredClone(BASE), eventID: eventId, eventTime };
}

describe('scan --exceptions and alert suppression', () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'scan-exceptions-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const write = (name: string, text: string): string => {
    const file = join(directory, name);
    writeFileSync(file, text);
    return file;
  };

  it('parses --exceptions (repeatable) and --exceptions-for-all', () => {
    expect(parseCommandLine(SCAN_COMMAND, ['--exceptions', 'a.ndjson', '--exceptions=b.ndjson', '--exceptions-for-all', 'trail'])).toEqual({
      kind: 'run',
      args: { command: 'scan', paths: ['trail'], exceptionFiles: ['a.ndjson', 'b.ndjson'], exceptionsForAll: true },
    });
    expect(parseCommandLine(SCAN_COMMAND, ['--exceptions-for-all', 'trail'])).toEqual({ kind: 'usage-error', message: '--exceptions-for-all needs at least one --exceptions FILE' });
    expect(parseCommandLine(SCAN_COMMAND, ['--exceptions'])).toEqual({ kind: 'usage-error', message: '--exceptions needs FILE' });
  });

  it('an excepted match is not printed: one stderr line names the list and item, and the summary counts it', async () => {
    const exceptions = write('nightly.ndjson', nightlyBackupExportExpiring(inThirtyDays()));
    const trail = write('trail.json', JSON.stringify({ Records: [nightlyBackupRecord(BASE, 'nightly-0001'), engineerRecord('engineer-0001', BASE.eventTime)] }));
    const run = await runCli(['scan', '--exceptions', exceptions, '--exceptions-for-all', trail]);
    expect(run.code).toBe(0);
    expect(run.alerts.map((alert) => alert.event.id)).toEqual(['engineer-0001']);
    expect(run.stderr).toContain(
      `suppressed: ${RULE_NAME} event nightly-0001 by exception nightly-backup-exceptions/nightly-backup-rds-export (nightly-backup role exports orders snapshot)\n`,
    );
    expect(run.stderr).toMatch(/1 alert, 1 match suppressed by exceptions, 0 errors/);
  });

  it('a list applies only to the rules that name it unless --exceptions-for-all; an expired item no longer suppresses', async () => {
    const trail = write('trail.json', JSON.stringify({ Records: [nightlyBackupRecord(BASE, 'nightly-0002')] }));
    const unmapped = await runCli(['scan', '--exceptions', write('n.ndjson', nightlyBackupExportExpiring(inThirtyDays())), trail]);
    expect(unmapped.alerts).toHaveLength(1);
    expect(unmapped.stderr).toContain('note: exception list "nightly-backup-exceptions"');
    const expired = await runCli(['scan', '--exceptions', write('e.ndjson', nightlyBackupExportExpiring('2026-01-01T00:00:00.000Z')), '--exceptions-for-all', trail]);
    expect(expired.alerts).toHaveLength(1);
    expect(expired.stderr).not.toContain('suppressed:');
  });

  it('refuses an export with an item without owner, naming file, line and field (exit 2)', async () => {
    const lines = nightlyBackupLines().map((line) => {
      if (line.item_id !== 'nightly-backup-rds-export') return line;
      const { created_by: _createdBy, ...rest } = line;
      return { ...rest, tags: [] };
    });
    write('no-owner.ndjson', toNdjson(lines));
    const run = await runCli(['scan', '--exceptions', 'no-owner.ndjson', NIGHTLY_BACKUP_EXPORT], directory);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no-owner.ndjson:2: created_by: item "nightly-backup-rds-export" has no owner');
  });

  it('alert suppression over event time: three exports by one user of one snapshot in the window give one alert; the next one says two more were suppressed', async () => {
    const rules = join(directory, 'rules');
    mkdirSync(rules);
    for (const name of readdirSync(join(REPO_ROOT, 'rules'))) copyFileSync(join(REPO_ROOT, 'rules', name), join(rules, name));
    const [toml] = readdirSync(rules).filter((name) => name.endsWith('.toml'));
    writeFileSync(
      join(rules, toml),
      `${readFileSync(join(rules, toml), 'utf8')}\n[rule.alert_suppression]\ngroup_by = ["user.name", "aws.cloudtrail.flattened.request_parameters.sourceArn"]\nduration = { value = 5, unit = "m" }\n`,
    );
    const trail = write(
      'trail.json',
      JSON.stringify({
        Records: [
          engineerRecord('export-1', '2026-11-20T03:00:00Z'),
          engineerRecord('export-2', '2026-11-20T03:01:00Z'),
          engineerRecord('export-3', '2026-11-20T03:04:59Z'),
          engineerRecord('export-4', '2026-11-20T03:30:00Z'),
        ],
      }),
    );
    const run = await runCli(['scan', '--rules', rules, trail]);
    expect(run.code).toBe(0);
    expect(run.alerts.map((alert) => alert.event.id)).toEqual(['export-1', 'export-4']);
    expect(run.alerts[0].kibana.alert.suppression).toMatchObject({ start: '2026-11-20T03:00:00.000Z', end: '2026-11-20T03:05:00.000Z', docs_count: 0 });
    expect(run.alerts[1].kibana.alert.suppression).toMatchObject({ start: '2026-11-20T03:30:00.000Z', docs_count: 2, suppressed_since: '2026-11-20T03:00:00.000Z' });
    const suppressed = run.stderr.split('\n').filter((line) => line.startsWith('suppressed:'));
    expect(suppressed).toEqual([
      expect.stringMatching(new RegExp(`^suppressed: ${RULE_NAME} event export-2 by alert suppression \\(user.name=.*\\) in the window 2026-11-20T03:00:00.000Z to 2026-11-20T03:05:00.000Z$`)),
      expect.stringMatching(/^suppressed: .* event export-3 by alert suppression/),
    ]);
    expect(run.stderr).toMatch(/2 alerts, 2 matches suppressed by alert suppression, 0 errors/);
  });
});

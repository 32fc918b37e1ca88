import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assumedRoleIdentity } from '../support/cloudtrail-records';
import { conformancePath, describeWithConformance } from '../support/conformance-data';
import { inThirtyDays, toNdjson } from '../support/exception-fixtures';
import { SINGLE_EVENT_RULE_RECORDS } from '../engine/eql/support/aws-rule-records';
import { runCli } from './cli-harness';

/**
 * An EQL rule takes the rule's exceptions and alert suppression in `scan` as a KQL rule does: Elastic's RDS
 * snapshot-sharing rule with an exception list for a disaster-recovery role and suppression per user.
 */
const RDS_SHARING = 'exfiltration_rds_snapshot_shared_with_another_account.toml';
const RULE_NAME = 'AWS RDS DB Snapshot Shared with Another Account';

const exceptionList = toNdjson([
  { list_id: 'dr-copies', name: 'DR copies', description: 'Snapshot copies to the DR account', type: 'detection', namespace_type: 'single', os_types: [], tags: [] },
  {
    item_id: 'dr-role',
    list_id: 'dr-copies',
    name: 'the DR automation role shares snapshots with the DR account',
    description: 'CHG-9001',
    type: 'simple',
    namespace_type: 'single',
    os_types: [],
    tags: [],
    created_by: 'sam.okafor',
    expire_time: inThirtyDays(),
    comments: [{ comment: 'DR copies go to the DR account every night (CHG-9001).', created_by: 'sam.okafor', created_at: '2026-11-03T11:40:19.004Z', id: 'c1' }],
    entries: [{ field: 'user.name', operator: 'included', type: 'match', value: 'DrAutomation' }],
  },
  { exported_exception_list_count: 1, exported_exception_list_item_count: 1, missing_exception_list_item_count: 0, missing_exception_list_items: [], missing_exception_lists: [], missing_exception_lists_count: 0 },
]);

describeWithConformance('scan with an EQL rule, its exceptions and its alert suppression', ['elastic-aws-eql-rules'], () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'scan-eql-'));
    const text = readFileSync(conformancePath('elastic-aws-eql-rules', RDS_SHARING), 'utf8')
      .replace('type = "eql"', 'type = "eql"\nexceptions_list = [{ list_id = "dr-copies", namespace_type = "single", type = "detection" }]');
    mkdirSync(join(directory, 'rules'));
    writeFileSync(join(directory, 'rules', RDS_SHARING), `${text}\n[rule.alert_suppression]\ngroup_by = ["user.name"]\nduration = { value = 5, unit = "m" }\n`);
    writeFileSync(join(directory, 'dr.ndjson'), exceptionList);
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('the DR role is excepted; one engineer sharing twice within 5 minutes alerts once', async () => {
    const share = SINGLE_EVENT_RULE_RECORDS[RDS_SHARING].alerts;
    const records = [
      { ...share, eventID: 'dr-1', eventTime: '2026-11-20T03:00:00Z', userIdentity: assumedRoleIdentity('dr@example.com', 'DrAutomation') },
      { ...share, eventID: 'eng-1', eventTime: '2026-11-20T03:01:00Z' },
      { ...share, eventID: 'eng-2', eventTime: '2026-11-20T03:02:00Z' },
    ];
    writeFileSync(join(directory, 'trail.json'), JSON.stringify({ Records: records }));
    const run = await runCli(['scan', '--rules', join(directory, 'rules'), '--exceptions', join(directory, 'dr.ndjson'), join(directory, 'trail.json')]);
    expect(run.code).toBe(0);
    expect(run.alerts.map((alert) => [alert.event.id, alert.kibana.alert.rule.type])).toEqual([['eng-1', 'eql']]);
    expect(run.stderr).toContain(`suppressed: ${RULE_NAME} event dr-1 by exception dr-copies/dr-role`);
    expect(run.stderr).toMatch(new RegExp(`suppressed: ${RULE_NAME} event eng-2 by alert suppression \\(user.name="DataEngineer"\\)`));
    expect(run.stderr).toMatch(/3 records, 1 alert, 1 match suppressed by exceptions, 1 match suppressed by alert suppression, 0 errors\n$/);
  });
});

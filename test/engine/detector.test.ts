import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDetector } from '../../src/engine/detector';
import { compileRules, loadRuleDirectory } from '../../src/engine/rules';
import { assumedRoleIdentity, startExportTaskRecord } from '../support/cloudtrail-records';
import { conformancePath } from '../support/conformance-data';

const detector = createDetector(compileRules(loadRuleDirectory(join(__dirname, '../../rules'))));
const receivedAt = new Date('2026-11-20T03:15:49.000Z');
const REAL_RDS_EVENTS = conformancePath('real-rds-events');

async function alertsFor(record: Record<string, unknown>) {
  return (await detector.detect(record, { receivedAt })).map((detection) => detection.alert as any);
}

describe('the RDS snapshot export rule, evaluated from its KQL text', () => {
  it('fires on a successful StartExportTask by an assumed role', async () => {
    const alerts = await alertsFor(startExportTaskRecord());
    expect(alerts).toHaveLength(1);
    expect(alerts[0].kibana.alert.rule.rule_id).toBe('119c8877-8613-416d-a98a-96b6664ee73a');
    expect(alerts[0].user.name).toBe('DataEngineer');
  });

  it('fires for IAM users and for the root user', async () => {
    const iamUser = { type: 'IAMUser', principalId: 'AIDAEXAMPLEUSERID123', arn: 'arn:aws:iam::123456789012:user/bob', accountId: '123456789012', accessKeyId: 'AKIAEXAMPLEKEY123456', userName: 'bob' };
    const root = { type: 'Root', principalId: '123456789012', arn: 'arn:aws:iam::123456789012:root', accountId: '123456789012', accessKeyId: 'ASIAEXAMPLEROOTKEY12' };
    expect((await alertsFor(startExportTaskRecord({ userIdentity: iamUser })))[0].user.name).toBe('bob');
    expect(await alertsFor(startExportTaskRecord({ userIdentity: root }))).toHaveLength(1);
  });

  it('fires on a cluster export limited with exportOnly', async () => {
    const record = startExportTaskRecord();
    Object.assign(record.requestParameters as object, {
      sourceArn: 'arn:aws:rds:us-east-1:123456789012:cluster:payments-aurora',
      exportOnly: ['payments.cards'],
    });
    expect(await alertsFor(record)).toHaveLength(1);
  });

  it('stays silent on failures, whether errorCode or only errorMessage says so', async () => {
    expect(await alertsFor(startExportTaskRecord({ errorCode: 'AccessDenied', errorMessage: 'User is not authorized', responseElements: null }))).toEqual([]);
    expect(await alertsFor(startExportTaskRecord({ errorCode: 'KMSKeyNotAccessibleFault', responseElements: null }))).toEqual([]);
    expect(await alertsFor(startExportTaskRecord({ errorMessage: 'The export failed', responseElements: null }))).toEqual([]);
  });

  it('stays silent on other export-related RDS calls', async () => {
    for (const eventName of ['CancelExportTask', 'DescribeExportTasks', 'CreateDBSnapshot', 'startexporttask']) {
      expect(await alertsFor(startExportTaskRecord({ eventName }))).toEqual([]);
    }
  });

  it('stays silent on the same API name of another service', async () => {
    expect(await alertsFor(startExportTaskRecord({ eventSource: 'discovery.amazonaws.com', userIdentity: assumedRoleIdentity() }))).toEqual([]);
  });
});

const realFiles = existsSync(REAL_RDS_EVENTS) ? readdirSync(REAL_RDS_EVENTS).filter((name) => name.endsWith('.json')) : [];
(realFiles.length > 0 ? describe : describe.skip)('real RDS records (../shared/conformance/real-rds-events)', () => {
  it.each(realFiles)('%s raises no alert', async (name) => {
    const json = JSON.parse(readFileSync(join(REAL_RDS_EVENTS, name), 'utf8'));
    const record = json['detail-type'] === 'AWS API Call via CloudTrail' ? json.detail : json;
    expect(await alertsFor(record)).toEqual([]);
  });

  it('covers all 16 records', () => {
    expect(realFiles).toHaveLength(16);
  });
});

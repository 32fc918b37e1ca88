import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ALERT_NARRATORS,
  type AlertNarrator,
  buildAlertNotification,
  EVENT_NARRATORS,
  extractAlertFacts,
  RESPONSE_HEADER,
  tellAlert,
} from '../../../src/engine/alerts';
import { buildAlert } from '../../../src/engine/alerts/build-alert';
import { normalizeCloudTrail } from '../../../src/engine/ecs';
import { compileRules, loadRuleDirectory, parseRuleToml, type CompiledRule } from '../../../src/engine/rules';
import { ACCOUNT, assumedRoleIdentity, startExportTaskRecord } from '../../support/cloudtrail-records';
import { commandsIn, overlongLines, REVOKE_BEFORE } from '../../support/email-commands';

const RULES = join(__dirname, '../../../rules');
const FIXTURES = join(__dirname, '../../fixtures/events');
const [seed] = compileRules(loadRuleDirectory(RULES));
const receivedAt = new Date('2026-11-20T03:15:49.250Z');

/** The first query rule's alert for the record, built as the detector builds it (synchronously, for the helpers). */
function detect(record: Record<string, unknown>, rules = [seed]) {
  const document = normalizeCloudTrail(record, { receivedAt });
  const rule = rules.find((candidate) => candidate.matches(document));
  expect(rule).toBeDefined();
  return { rule: rule as CompiledRule, alert: buildAlert((rule as CompiledRule).rule, document, { receivedAt }), document };
}

function email(record: Record<string, unknown>, rules = [seed]): { email: string; subject: string } {
  const detection = detect(record, rules);
  const notification = buildAlertNotification(detection.alert, detection.rule.rule);
  return { email: JSON.parse(notification.message).email, subject: notification.subject };
}

function fixtureRecord(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')).detail;
}

/** Another rule than the seed one: an IAM access key created for another user. */
const accessKeyRule = compileRules([
  parseRuleToml(
    readFileSync(join(RULES, 'exfiltration_rds_snapshot_export.toml'), 'utf8')
      .replace(/rule_id = "[^"]+"/, 'rule_id = "a1b2c3d4-1111-4222-8333-444455556666"')
      .replace('name = "AWS RDS Snapshot Export"', 'name = "AWS IAM Access Key Created For Another User"')
      .replace('severity = "low"', 'severity = "medium"')
      .replace('event.provider:rds.amazonaws.com and event.action:StartExportTask', 'event.provider:iam.amazonaws.com and event.action:CreateAccessKey'),
    'persistence_iam_create_access_key.toml',
  ),
]);

function createAccessKeyRecord(userIdentity: Record<string, unknown>): Record<string, unknown> {
  return {
    ...startExportTaskRecord(),
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateAccessKey',
    userIdentity,
    requestParameters: { userName: 'mallory' },
    responseElements: { accessKey: { userName: 'mallory', accessKeyId: 'AKIAEXAMPLENEWKEY001', status: 'Active' } },
  };
}

describe('the alert e-mail, for other identities and rules', () => {
  it('disables the access key of an IAM user', () => {
    const { email: text } = email(fixtureRecord('start-export-task-iam-user.json'));
    expect(text.split('\n')[0]).toMatch(/^IAM user svc-reporting-exporter started exporting /);
    expect(commandsIn(text)).toEqual(
      expect.arrayContaining([
        'aws iam update-access-key --user-name svc-reporting-exporter --access-key-id AKIA5EXAMPLE7RN2QW4D --status Inactive',
        'aws iam update-access-key --user-name svc-reporting-exporter --access-key-id AKIA5EXAMPLE7RN2QW4D --status Active',
      ]),
    );
    expect(overlongLines(text)).toEqual([]);
  });

  it('tells what to do about root, where no command can help', () => {
    const { email: text, subject } = email(fixtureRecord('start-export-task-root.json'));
    expect(subject).toMatch(/^\[LOW\] root exported /);
    expect(text).toMatch(/^the root user started exporting /);
    const response = text.slice(text.indexOf(RESPONSE_HEADER), text.indexOf('WHAT HAPPENED')).replace(/\s+/g, ' ');
    expect(response).toContain('The root user made this call in account 123456789012: no policy can stop root. Sign in as root now');
    expect(commandsIn(text).filter((command) => command.startsWith('aws iam'))).toEqual([]);
  });

  it('revokes a cross-account role’s sessions in the account that owns the role', () => {
    const identity = assumedRoleIdentity('build-42', 'Deployer');
    Object.assign((identity.sessionContext as any).sessionIssuer, { arn: 'arn:aws:iam::210987654321:role/ci/Deployer', accountId: '210987654321' });
    Object.assign(identity, { accountId: '210987654321', arn: 'arn:aws:sts::210987654321:assumed-role/Deployer/build-42' });
    const { email: text } = email(startExportTaskRecord({ userIdentity: identity }));
    expect(text.replace(/\s+/g, ' ')).toContain('build-42 (role Deployer) of account 210987654321 started exporting');
    expect(text.replace(/\s+/g, ' ')).toContain('Revoke the sessions of role Deployer issued before the alert (run in account 210987654321)');
    expect(commandsIn(text)).toContain(`aws iam put-role-policy --role-name Deployer --policy-name AWSRevokeOlderSessions --policy-document '${REVOKE_BEFORE('2026-11-20T03:15:49Z')}'`);
  });

  it('tells any other rule’s event from what it says: who called what on which resource, and how to stop the caller', () => {
    const identity = { type: 'IAMUser', principalId: 'AIDAEXAMPLEBOB', arn: `arn:aws:iam::${ACCOUNT}:user/bob`, accountId: ACCOUNT, accessKeyId: 'AKIAEXAMPLEBOBKEY001', userName: 'bob' };
    const { email: text, subject } = email(createAccessKeyRecord(identity), accessKeyRule);
    expect(subject).toBe('[MEDIUM] bob called iam:CreateAccessKey on mallory (123456789012 us-east-1)');
    expect(text.split('\n\n')[0].replace(/\n/g, ' ')).toBe('IAM user bob called iam:CreateAccessKey on mallory in us-east-1 of account 123456789012 at 03:15:42 UTC on 2026-11-20.');
    expect(commandsIn(text)).toEqual([
      'aws iam update-access-key --user-name bob --access-key-id AKIAEXAMPLEBOBKEY001 --status Inactive',
      'aws iam update-access-key --user-name bob --access-key-id AKIAEXAMPLEBOBKEY001 --status Active',
    ]);
    expect(text).toMatch(/^Alert:\s+AWS IAM Access Key Created For Another User \(medium severity\)$/m);
    expect(text).toMatch(/^Resource:\s+mallory$/m);
    expect(overlongLines(text)).toEqual([]);
  });

  it('lets a narrator for another rule type reframe the summary and add its own details', () => {
    const detection = detect(startExportTaskRecord());
    const facts = extractAlertFacts(detection.alert);
    // What a new_terms narrator does: say it is the first time, and which terms were new.
    const firstTime: AlertNarrator = {
      name: 'new terms (test)',
      narrate(story) {
        story.summary = `First time in 7 days: ${story.summary}`;
        story.subjectActions = story.subjectActions.map((action) => (typeof action === 'string' ? `first time: ${action}` : action));
        story.section('why', 'Why it alerted').add('New terms', 'user.name DataEngineer');
      },
    };
    const story = tellAlert(
      { rule: seed.rule, alert: detection.alert, facts, alertId: 'id', raisedAt: receivedAt.toISOString() },
      [],
      { events: EVENT_NARRATORS, others: [...ALERT_NARRATORS, firstTime] },
    );
    expect(story.summary).toMatch(/^First time in 7 days: alice@example\.com \(role DataEngineer\) started exporting/);
    expect(story.sections.map((section) => section.id)).toEqual(['what', 'export', 'who', 'rule', 'why']);
    expect(story.steps.map((step) => step.title.split(' ')[0])).toEqual(['Cancel', 'Check', 'Revoke']);
  });

  it('shows a reason built from hostile term values on lines of its own making: no control character, no forged line', () => {
    const detection = detect(startExportTaskRecord());
    const hostile = 'bob\n\nSEVERITY: none (all clear)\u001b[31m\u202e';
    // A new_terms or sequence alert's reason embeds the new values or the shared key as they were in the event.
    const alert = { ...detection.alert, kibana: { ...(detection.alert.kibana as object), alert: { ...(detection.alert.kibana as any).alert, reason: `First time in 7 days: user ${hostile} called rds:StartExportTask.`, new_terms: [hostile] } } };
    const email = JSON.parse(buildAlertNotification(alert, seed.rule).message).email as string;
    expect(email).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    expect(email.split('\n')).not.toContain('SEVERITY: none (all clear)');
    expect(email.split('\n')[0]).toMatch(/^First time in 7 days: user bob\\u\{000a\}\\u\{000a\}SEVERITY: none/);
  });
});

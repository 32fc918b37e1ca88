import { join } from 'node:path';
import fc from 'fast-check';
import { buildAlert, buildAlertNotification, genericSubject, MAX_MESSAGE_BYTES } from '../../../src/engine/alerts';
import { createDetector } from '../../../src/engine/detector';
import { normalizeCloudTrail } from '../../../src/engine/ecs';
import type { DetectionRule } from '../../../src/engine/rules';
import { compileRules, loadRuleDirectory } from '../../../src/engine/rules';
import { startExportTaskRecord } from '../../support/cloudtrail-records';
import { commandsIn, overlongLines } from '../../support/email-commands';
import { snsLimitViolations } from '../../support/sns-limits';
import { cloudTrailDeliveryArbitrary } from '../eventbridge/cloudtrail-event-arbitrary';
import { deeplyNested, hostileText, hostileValue, hugeText } from './hostile-input.arbitrary';

/**
 * Whatever JSON object arrives as a CloudTrail record, normalizing it, building the alert and building the SNS
 * notification never throw, and the notification is always one SNS accepts. An alert that cannot be published
 * is a lost alert: Lambda would retry the same rejection until it gives up.
 */
const [compiled] = compileRules(loadRuleDirectory(join(__dirname, '../../../rules')));
const rule = compiled.rule;
const detector = createDetector([compiled]);
const receivedAt = new Date('2026-11-20T03:15:49.250Z');
const envelope = { id: 'envelope-1', account: '123456789012', region: 'us-east-1' };

/** Every rule shape the limits depend on: the real rule, and the same rule with a hostile name. */
const ruleArbitrary: fc.Arbitrary<DetectionRule> = fc.oneof(
  fc.constant(rule),
  fc.oneof(hostileText, hugeText).map((name) => ({ ...rule, name })),
);

function notificationProblems(record: Record<string, unknown>, detectionRule: DetectionRule): string[] {
  const document = normalizeCloudTrail(record, { receivedAt, envelope });
  const alert = buildAlert(detectionRule, document, { receivedAt, envelope });
  const notification = buildAlertNotification(alert, detectionRule);
  const problems = [
    ...snsLimitViolations(notification),
    ...snsLimitViolations({ subject: genericSubject(detectionRule), message: notification.message, attributes: notification.attributes }).map((problem) => `generic ${problem}`),
  ];
  const message = JSON.parse(notification.message) as { default: unknown; email: unknown };
  if (typeof message.default !== 'string' || typeof message.email !== 'string') problems.push('message lacks default/email text');
  else {
    JSON.parse(message.default);
    problems.push(...emailProblems(message.email));
  }
  return problems;
}

/**
 * The e-mail's own promises, whatever the event holds: no line over 78 characters but a URL (the size cap's marker
 * aside), and every command in "If this was not expected, now:" made of the characters the filled-in values allow.
 */
function emailProblems(email: string): string[] {
  const truncated = /… \[\d+ more characters cut\]$/.test(email);
  const lines = overlongLines(email).filter((line, index, all) => !(truncated && index === all.length - 1 && email.endsWith(line)));
  return [
    ...lines.map((line) => `e-mail line over 78 characters: ${JSON.stringify(line.slice(0, 80))}`),
    ...commandsIn(email)
      .filter((command) => !/^aws [A-Za-z0-9 ./:=,@*{}"\[\]'_+-]+$/.test(command))
      .map((command) => `unsafe command: ${JSON.stringify(command.slice(0, 120))}`),
  ];
}

/** Sets `value` at a dotted path of a record, creating objects on the way. */
function withValue(record: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(record);
  const keys = path.split('.');
  let target = copy;
  for (const key of keys.slice(0, -1)) {
    if (typeof target[key] !== 'object' || target[key] === null || Array.isArray(target[key])) target[key] = {};
    target = target[key] as Record<string, unknown>;
  }
  target[keys[keys.length - 1]] = value;
  return copy;
}

/** The fields the alert's subject, e-mail and attributes are made from, plus ids and free-form payloads. */
const FIELDS = [
  'eventID', 'eventTime', 'awsRegion', 'recipientAccountId', 'sourceIPAddress', 'userAgent', 'errorCode', 'errorMessage',
  'userIdentity.type', 'userIdentity.arn', 'userIdentity.accountId', 'userIdentity.userName', 'userIdentity.principalId',
  'userIdentity.sessionContext.sessionIssuer.arn', 'userIdentity.sessionContext.sessionIssuer.userName',
  'requestParameters.sourceArn', 'requestParameters.s3BucketName', 'requestParameters.s3Prefix', 'requestParameters.exportTaskIdentifier',
  'requestParameters.exportOnly', 'requestParameters.iamRoleArn', 'requestParameters.kmsKeyId',
  'responseElements', 'responseElements.status', 'additionalEventData', 'serviceEventDetails', 'resources', 'tlsDetails',
];

const hostileOverrides = fc.array(fc.tuple(fc.constantFrom(...FIELDS), fc.oneof({ weight: 12, arbitrary: hostileValue }, { weight: 1, arbitrary: hugeText })), {
  minLength: 1,
  maxLength: 8,
});

function applyOverrides(record: Record<string, unknown>, overrides: [string, unknown][]): Record<string, unknown> {
  return overrides.reduce((current, [path, value]) => withValue(current, path, value), record);
}

describe('alerts from hostile and huge CloudTrail records', () => {
  it('a matching StartExportTask record with hostile values anywhere: never throws, always within SNS limits', () => {
    fc.assert(
      fc.property(hostileOverrides, ruleArbitrary, (overrides, detectionRule) => {
        expect(notificationProblems(applyOverrides(startExportTaskRecord(), overrides), detectionRule)).toEqual([]);
      }),
      { numRuns: 300, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH } : {}) },
    );
  });

  it('the hostile values keep the record matching when they leave the matched fields alone', async () => {
    await fc.assert(
      fc.asyncProperty(hostileOverrides, async (overrides) => {
        const record = applyOverrides(startExportTaskRecord(), overrides.filter(([path]) => !['errorCode', 'errorMessage', 'eventID'].includes(path)));
        const detections = await detector.detect(record, { receivedAt, envelope });
        expect(detections).toHaveLength(1);
        expect(snsLimitViolations(buildAlertNotification(detections[0].alert, rule))).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('generated CloudTrail records of every kind, with hostile overrides: never throws, always within SNS limits', () => {
    fc.assert(
      fc.property(cloudTrailDeliveryArbitrary(compiled.ast), fc.option(hostileOverrides, { nil: undefined }), ({ record }, overrides) => {
        expect(notificationProblems(applyOverrides(record, overrides ?? []), rule)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('any JSON object at all, including deep nesting and hostile keys: never throws, always within SNS limits', () => {
    const anyRecord = fc.dictionary(fc.oneof(hostileText, fc.constantFrom(...FIELDS.map((field) => field.split('.')[0]))), fc.oneof(hostileValue, deeplyNested), {
      maxKeys: 12,
    });
    fc.assert(
      fc.property(anyRecord, (record) => {
        expect(notificationProblems(record, rule)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('records of several hundred KB are cut to fit, with the cut visible', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...FIELDS), hugeText), { minLength: 2, maxLength: 4 }), (overrides) => {
        const record = applyOverrides(startExportTaskRecord(), overrides);
        const document = normalizeCloudTrail(record, { receivedAt, envelope });
        const alert = buildAlert(rule, document, { receivedAt, envelope });
        const notification = buildAlertNotification(alert, rule);
        expect(snsLimitViolations(notification)).toEqual([]);
        const defaultAlert = JSON.parse((JSON.parse(notification.message) as { default: string }).default);
        // Some huge values are dropped by normalization itself (an unparseable eventTime, say); what reaches the alert is cut.
        if (Buffer.byteLength(JSON.stringify(alert)) > MAX_MESSAGE_BYTES) {
          expect(defaultAlert.kibana.alert.truncated_fields.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 12 },
    );
  });
});

describe('regressions found by the properties above', () => {
  it('a lone surrogate in the event id does not make the console link throw (URIError)', () => {
    expect(notificationProblems(startExportTaskRecord({ eventID: '\ud83d' }), rule)).toEqual([]);
  });

  it('a 100 KB region or account is capped in the attributes, keeping message + attributes under 262,144 bytes', () => {
    const record = withValue(startExportTaskRecord({ awsRegion: '😀'.repeat(60_000) }), 'recipientAccountId', 'x'.repeat(120_000));
    const notification = buildAlertNotification(buildAlert(rule, normalizeCloudTrail(record, { receivedAt }), { receivedAt }), rule);
    expect(snsLimitViolations(notification)).toEqual([]);
    for (const value of Object.values(notification.attributes)) expect(value.length).toBeLessThanOrEqual(256);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compileRules, loadRuleDirectory } from '../../src/engine/rules';
import { createDetector } from '../../src/engine/detector';
import { buildAlertNotification } from '../../src/engine/alerts';
import { unwrapEventBridgeEvent } from '../../src/engine/input/eventbridge-envelope';
import { captureStdout } from '../support/captured-stdout';
import { setEnvironment } from '../support/environment';
import { lambdaContext } from '../support/lambda-context';
import { matchesEventPattern } from '../support/eventbridge-matcher';
import { startConditionalS3, type ConditionalLocalS3 } from '../support/conditional-s3';
import { startSnsRecorder, type SnsRecorder } from '../support/sns-recorder';
import { eventFixture, loadHandler, localLambdaEnvironment, writeRulePack, type CloudTrailEvent, type HandlerModule } from './handler-harness';

const MEMBER_ACCOUNT = '210987654321';
const MEMBER_REGION = 'eu-west-1';
const CENTRAL_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:cloudtrail-detector-alerts';
const ACCOUNT_NAMES = { [MEMBER_ACCOUNT]: 'Payments-Prod' };
const SEED_PATTERN = {
  source: ['aws.rds'],
  'detail-type': ['AWS API Call via CloudTrail'],
  detail: { eventSource: ['rds.amazonaws.com'], eventName: ['StartExportTask'], errorCode: [{ exists: false }, null, '', '-', 'none'] },
};

/**
 * A StartExportTask made in a member account and region, as the central bus receives it from that account's
 * forwarder: EventBridge keeps the original envelope (`account`, `region`) and the CloudTrail record.
 */
function memberAccountEvent(): CloudTrailEvent {
  const text = JSON.stringify(eventFixture('start-export-task-assumed-role.json'))
    .replaceAll('123456789012', MEMBER_ACCOUNT)
    .replaceAll('us-east-1', MEMBER_REGION);
  const event = JSON.parse(text) as CloudTrailEvent & { detail: Record<string, any> };
  event.detail.eventID = 'a4c1e0b2-7d3f-4e58-9b61-2f0d8c7e5a93';
  return event;
}

describe('an event from a member account, delivered through the central bus', () => {
  const event = memberAccountEvent();

  it('is selected by the pattern the central rules and the forwarders share, whatever account it comes from', () => {
    expect(event.account).toBe(MEMBER_ACCOUNT);
    expect(event.region).toBe(MEMBER_REGION);
    expect(matchesEventPattern(SEED_PATTERN, event)).toBe(true);
  });

  it('yields an alert that names the member account and region (engine)', async () => {
    const detector = createDetector(compileRules(loadRuleDirectory(path.join(__dirname, '../../rules'))));
    const { record, envelope } = unwrapEventBridgeEvent(event);
    const [detection] = await detector.detect(record, { receivedAt: new Date('2026-11-20T03:24:20Z'), envelope });
    expect((detection.alert as any).cloud.account.id).toBe(MEMBER_ACCOUNT);
    expect((detection.alert as any).cloud.region).toBe(MEMBER_REGION);
    expect((detection.alert as any).aws.cloudtrail.recipient_account_id).toBe(MEMBER_ACCOUNT);

    const plain = buildAlertNotification(detection.alert, detection.rule.rule);
    expect(plain.subject).toMatch(new RegExp(`\\(${MEMBER_ACCOUNT} ${MEMBER_REGION}\\)$`));
    expect(plain.attributes).toEqual(expect.objectContaining({ account: MEMBER_ACCOUNT, region: MEMBER_REGION }));

    const named = buildAlertNotification(detection.alert, detection.rule.rule, { accountNames: ACCOUNT_NAMES });
    // The account's name is the first thing the subject gives up for room; the id and region never are.
    expect(named.subject).toMatch(new RegExp(`\\(${MEMBER_ACCOUNT} ${MEMBER_REGION}\\)$`));
    const shortBucket = unwrapEventBridgeEvent(memberAccountEvent());
    (shortBucket.record.requestParameters as Record<string, unknown>).s3BucketName = 'exports';
    const [roomy] = await detector.detect(shortBucket.record, { receivedAt: new Date('2026-11-20T03:24:20Z'), envelope: shortBucket.envelope });
    expect(buildAlertNotification(roomy.alert, roomy.rule.rule, { accountNames: ACCOUNT_NAMES }).subject).toMatch(
      new RegExp(`^\\[LOW\\] maria\\.garcia@example\\.com exported (.+ )?to s3://exports \\(Payments-Prod ${MEMBER_ACCOUNT} ${MEMBER_REGION}\\)$`),
    );
    expect(named.subject.length).toBeLessThan(100);
    expect(named.attributes).toEqual(plain.attributes);
    const email = JSON.parse(named.message).email as string;
    expect(email).toMatch(new RegExp(`^Account:\\s+Payments-Prod \\(${MEMBER_ACCOUNT}\\)$`, 'm'));
    expect(email).toMatch(new RegExp(`^Region:\\s+${MEMBER_REGION}$`, 'm'));
    expect(email.replace(/\s+/g, ' ')).toContain(`in ${MEMBER_REGION} of account Payments-Prod (${MEMBER_ACCOUNT}) at `);
    expect(email).toContain(`(sign in to account Payments-Prod (${MEMBER_ACCOUNT}) first)`);
    expect(email).toContain(`https://${MEMBER_REGION}.console.aws.amazon.com/`);
  });

  it('keeps the subject under 100 characters with a long account name, account id and region intact', async () => {
    const detector = createDetector(compileRules(loadRuleDirectory(path.join(__dirname, '../../rules'))));
    const { record, envelope } = unwrapEventBridgeEvent(event);
    const [detection] = await detector.detect(record, { receivedAt: new Date(), envelope });
    const longName = 'Payments-Production-Cardholder-Data-Environment-01';
    const { subject } = buildAlertNotification(detection.alert, detection.rule.rule, { accountNames: { [MEMBER_ACCOUNT]: longName } });
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(new RegExp(`\\(${MEMBER_ACCOUNT} ${MEMBER_REGION}\\)$`));
  });

  describe('through the Lambda handler with local SNS and S3', () => {
    let s3: ConditionalLocalS3;
    let sns: SnsRecorder;
    let rulePack: { path: string; remove(): void };
    let configDirectory: string;
    let restoreEnvironment: () => void;
    let lambda: HandlerModule;

    beforeAll(async () => {
      [s3, sns] = await Promise.all([startConditionalS3('detector-alert-archive'), startSnsRecorder()]);
      rulePack = writeRulePack();
      configDirectory = mkdtempSync(path.join(tmpdir(), 'detector-config-'));
      const configPath = path.join(configDirectory, 'detector-config.json');
      writeFileSync(configPath, JSON.stringify({ accountNames: ACCOUNT_NAMES }));
      restoreEnvironment = setEnvironment({
        ...localLambdaEnvironment({ snsEndpoint: sns.endpoint, s3Endpoint: s3.endpoint, topicArn: CENTRAL_TOPIC_ARN, bucket: s3.bucket, rulesPath: rulePack.path }),
        DETECTOR_CONFIG_PATH: configPath,
      });
      const coldStart = captureStdout();
      try {
        lambda = loadHandler();
      } finally {
        coldStart.restore();
      }
    });

    afterAll(async () => {
      restoreEnvironment?.();
      rulePack?.remove();
      rmSync(configDirectory, { recursive: true, force: true });
      await Promise.all([s3?.stop(), sns?.stop()]);
    });

    it('publishes an alert naming the member account (id and name) and region, and archives it', async () => {
      const stdout = captureStdout();
      try {
        await expect(lambda.handler(event, lambdaContext('req-member-account'))).resolves.toEqual({ alerts: 1, duplicates: 0 });
      } finally {
        stdout.restore();
      }
      expect(sns.publishes).toHaveLength(1);
      const [publish] = sns.publishes;
      expect(publish.topicArn).toBe(CENTRAL_TOPIC_ARN);
      expect(publish.subject).toMatch(new RegExp(`\\((Payments-Prod )?${MEMBER_ACCOUNT} ${MEMBER_REGION}\\)$`));
      expect(publish.subject!.length).toBeLessThan(100);
      expect(publish.messageAttributes.account).toEqual({ dataType: 'String', stringValue: MEMBER_ACCOUNT });
      expect(publish.messageAttributes.region).toEqual({ dataType: 'String', stringValue: MEMBER_REGION });

      const message = JSON.parse(publish.message!) as { default: string; email: string };
      const alert = JSON.parse(message.default);
      expect(alert.cloud.account.id).toBe(MEMBER_ACCOUNT);
      expect(alert.cloud.region).toBe(MEMBER_REGION);
      expect(alert.aws.cloudtrail.recipient_account_id).toBe(MEMBER_ACCOUNT);
      expect(message.email).toMatch(new RegExp(`^Account:\\s+Payments-Prod \\(${MEMBER_ACCOUNT}\\)$`, 'm'));
      expect(message.email).toContain(`(sign in to account Payments-Prod (${MEMBER_ACCOUNT}) first)`);

      const keys = await s3.listObjects();
      expect(keys).toEqual([`alerts/119c8877-8613-416d-a98a-96b6664ee73a/${(event.detail as any).eventID}.json`]);
      expect(JSON.parse((await s3.readObject(keys[0]))!.body).alert.cloud.account.id).toBe(MEMBER_ACCOUNT);
    });

    it('refuses, with a metric and a log line, an event whose envelope account is not its record\'s recipient (issue 10, case 9)', async () => {
      // Put on the central bus in the name of the security account, carrying a member account's record.
      const forged = { ...memberAccountEvent(), id: 'forged-envelope', account: '123456789012' };
      (forged.detail as Record<string, unknown>).eventID = 'f0rged00-0000-4000-8000-000000000009';
      const [publishedBefore, archivedBefore] = [sns.publishes.length, await s3.listObjects()];
      const stdout = captureStdout();
      try {
        await expect(lambda.handler(forged, lambdaContext('req-forged'))).resolves.toEqual({ alerts: 0, duplicates: 0, refused: 'account_mismatch' });
      } finally {
        stdout.restore();
      }
      expect(sns.publishes).toHaveLength(publishedBefore);
      expect(await s3.listObjects()).toEqual(archivedBefore);
      const lines = stdout.jsonLines();
      const metric = lines.find((line) => line._aws !== undefined);
      expect(metric).toMatchObject({
        _aws: { CloudWatchMetrics: [{ Namespace: 'CloudTrailStreamDetector', Dimensions: [['Reason']], Metrics: [{ Name: 'RefusedEvents', Unit: 'Count' }] }] },
        Reason: 'AccountMismatch',
        RefusedEvents: 1,
        EnvelopeAccount: '123456789012',
        RecipientAccountId: MEMBER_ACCOUNT,
      });
      expect(lines.find((line) => line.level === 'error')).toMatchObject({
        message: expect.stringContaining('event refused'),
        envelopeAccount: '123456789012',
        recipientAccountId: MEMBER_ACCOUNT,
        envelopeId: 'forged-envelope',
      });
    });
  });
});

describe('detector-config.json (read at cold start)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { readDetectorConfig } = require('../../lambda/config') as typeof import('../../lambda/config');
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'detector-config-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('is optional: no file, no account names', () => {
    expect(readDetectorConfig(path.join(directory, 'detector-config.json'))).toEqual({ accountNames: {} });
  });

  it('reads account names and refuses malformed ones, naming the entry', () => {
    const file = path.join(directory, 'detector-config.json');
    writeFileSync(file, JSON.stringify({ accountNames: ACCOUNT_NAMES }));
    expect(readDetectorConfig(file)).toEqual({ accountNames: ACCOUNT_NAMES });
    writeFileSync(file, JSON.stringify({ accountNames: { '2109': 'x' } }));
    expect(() => readDetectorConfig(file)).toThrow(/accountNames entry "2109"/);
    writeFileSync(file, JSON.stringify({ accountNames: ['x'] }));
    expect(() => readDetectorConfig(file)).toThrow(/accountNames must be an object/);
  });
});

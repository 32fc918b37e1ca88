import { writeFileSync } from 'node:fs';
import { captureStdout, type CapturedStdout } from '../support/captured-stdout';
import { lambdaContext } from '../support/lambda-context';
import type { ConditionalLocalS3 } from '../support/conditional-s3';
import type { SnsRecorder } from '../support/sns-recorder';
import {
  detailOf,
  eventFixture,
  loadHandler,
  writeRulePack,
  type CloudTrailEvent,
  type HandlerModule,
  useLocalLambdaTestbed,
} from './handler-harness';

const RULE_ID = '119c8877-8613-416d-a98a-96b6664ee73a';
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:cloudtrail-detector-alerts';
const ACCOUNT = '123456789012';

describe('Lambda handler against local SNS and S3', () => {
  let s3: ConditionalLocalS3;
  let sns: SnsRecorder;
  let stdout: CapturedStdout;
  let lambda: HandlerModule;
  let coldStartLog: Record<string, unknown>[];

  const testbed = useLocalLambdaTestbed('detector-alert-archive', TOPIC_ARN);

  beforeAll(() => {
    ({ s3, sns } = testbed);
    const coldStart = captureStdout();
    try {
      lambda = loadHandler();
      coldStartLog = coldStart.jsonLines();
    } finally {
      coldStart.restore();
    }
  });

  beforeEach(() => {
    stdout = testbed.stdout;
  });

  const invoke = (event: CloudTrailEvent, requestId = 'c0ffee00-0000-4000-8000-000000000001') =>
    lambda.handler(event, lambdaContext(requestId));

  const alertKey = (event: CloudTrailEvent) => `alerts/${RULE_ID}/${detailOf(event).eventID}.json`;

  it('logs the loaded rules once, at cold start', () => {
    expect(coldStartLog).toEqual([
      expect.objectContaining({ level: 'info', message: 'detector initialised', rulesPath: testbed.rulePack.path, ruleIds: [RULE_ID] }),
    ]);
  });

  describe('a successful StartExportTask by an assumed role', () => {
    const event = eventFixture('start-export-task-assumed-role.json');
    const record = detailOf(event);

    it('publishes one alert notification and archives the same alert', async () => {
      await expect(invoke(event, 'req-assumed-role')).resolves.toEqual({ alerts: 1, duplicates: 0 });

      expect(sns.publishes).toHaveLength(1);
      const [publish] = sns.publishes;
      expect(publish.topicArn).toBe(TOPIC_ARN);
      expect(publish.messageStructure).toBe('json');
      expect(publish.subject).toMatch(/^\[LOW\] \S+ exported /);
      expect(publish.subject).toMatch(new RegExp(`\\(${ACCOUNT} us-east-1\\)$`));
      expect(publish.subject!.length).toBeLessThan(100);
      expect(publish.subject).not.toMatch(/[\r\n]/);
      expect(publish.messageAttributes).toEqual({
        severity: { dataType: 'String', stringValue: 'low' },
        rule_id: { dataType: 'String', stringValue: RULE_ID },
        account: { dataType: 'String', stringValue: ACCOUNT },
        region: { dataType: 'String', stringValue: 'us-east-1' },
      });

      const message = JSON.parse(publish.message!) as { default: string; email: string };
      expect(Object.keys(message).sort()).toEqual(['default', 'email']);
      const alert = JSON.parse(message.default);
      expect(alert.kibana.alert.rule.rule_id).toBe(RULE_ID);
      expect(alert.event.id).toBe(record.eventID);
      expect(alert.event.kind).toBe('signal');
      expect(message.email).toContain(record.requestParameters.sourceArn);
      expect(message.email).toContain('s3://acme-analytics-landing/exports/orders/2026-11-20');

      expect(await s3.listObjects()).toEqual([alertKey(event)]);
      const archived = await s3.readObject(alertKey(event));
      expect(archived?.contentType).toBe('application/json');
      expect(JSON.parse(archived!.body)).toEqual({
        format: 'cloudtrail-stream-detector/archived-alert/v1',
        state: 'published',
        ruleId: RULE_ID,
        eventId: record.eventID,
        requestId: 'req-assumed-role',
        claimedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        publishedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        snsMessageId: publish.messageId,
        alert,
      });
    });

    it('logs one line per published alert and one summary line, as JSON', async () => {
      await invoke(event, 'req-assumed-role-logs');

      const lines = stdout.jsonLines();
      expect(lines.map((line) => [line.level, line.message])).toEqual([
        ['info', 'alert published'],
        ['info', 'event processed'],
      ]);
      const context = { awsRequestId: 'req-assumed-role-logs', envelopeId: event.id, eventId: record.eventID };
      expect(lines[0]).toMatchObject({
        ...context,
        ruleId: RULE_ID,
        severity: 'low',
        archiveKey: alertKey(event),
        snsMessageId: sns.publishes[0].messageId,
      });
      expect(lines[1]).toMatchObject({ ...context, alerts: 1 });
    });
  });

  it.each([
    ['an IAM user (CloudTrail 1.08, eu-west-1)', 'start-export-task-iam-user.json', 'eu-west-1', 's3://acme-reporting-exports-eu/billing/weekly'],
    ['the root user from the console', 'start-export-task-root.json', 'us-east-1', 's3://tmp-share-7731 '],
    ['an assumed role exporting some tables of an Aurora cluster', 'start-export-task-cluster-export-only.json', 'us-east-1', 's3://acme-analytics-landing/exports/payments'],
  ])('alerts on a successful StartExportTask by %s', async (_who, fixtureName, region, destination) => {
    const event = eventFixture(fixtureName);
    const record = detailOf(event);

    await expect(invoke(event)).resolves.toEqual({ alerts: 1, duplicates: 0 });

    expect(sns.publishes).toHaveLength(1);
    const [publish] = sns.publishes;
    expect(publish.messageAttributes.region).toEqual({ dataType: 'String', stringValue: region });
    expect(publish.messageAttributes.rule_id).toEqual({ dataType: 'String', stringValue: RULE_ID });
    const message = JSON.parse(publish.message!) as { default: string; email: string };
    expect(message.email).toContain(record.requestParameters.sourceArn);
    expect(message.email.replace(/\s+/g, ' ')).toContain(destination);
    for (const table of record.requestParameters.exportOnly ?? []) expect(message.email).toContain(table);

    const archived = await s3.readObject(alertKey(event));
    expect(JSON.parse(archived!.body).alert).toEqual(JSON.parse(message.default));
  });

  it.each([
    ['StartExportTask that failed with an errorCode', 'start-export-task-failed-error-code.json'],
    ['StartExportTask that failed with only an errorMessage', 'start-export-task-failed-error-message-only.json'],
    ['CancelExportTask', 'cancel-export-task.json'],
    ['DescribeExportTasks', 'describe-export-tasks.json'],
    ['CreateDBSnapshot', 'create-db-snapshot.json'],
    ['Application Discovery Service StartExportTask (discovery.amazonaws.com)', 'discovery-start-export-task.json'],
  ])('returns normally and sends nothing for %s', async (_what, fixtureName) => {
    const event = eventFixture(fixtureName);

    await expect(invoke(event, 'req-no-match')).resolves.toEqual({ alerts: 0, duplicates: 0 });

    expect(sns.publishAttempts).toBe(0);
    expect(await s3.listObjects()).toEqual([]);
    expect(stdout.jsonLines()).toEqual([
      expect.objectContaining({
        level: 'info',
        message: 'event processed',
        alerts: 0,
        awsRequestId: 'req-no-match',
        envelopeId: event.id,
        eventId: detailOf(event).eventID,
      }),
    ]);
  });

  it.each([
    ['has no detail', 'envelope-without-detail.json', 'undefined'],
    ['has a string as detail', 'envelope-detail-as-string.json', 'string'],
  ])('rejects an envelope that %s with InvalidEventError and sends nothing', async (_what, fixtureName, got) => {
    const event = eventFixture(fixtureName);

    await expect(invoke(event, 'req-malformed')).rejects.toMatchObject({
      name: 'InvalidEventError',
      envelopeId: event.id,
      message: `EventBridge event ${event.id} has no CloudTrail record: detail must be an object, got ${got}`,
    });

    expect(sns.publishAttempts).toBe(0);
    expect(await s3.listObjects()).toEqual([]);
    expect(stdout.jsonLines()).toEqual([
      expect.objectContaining({
        level: 'error',
        message: 'event processing failed',
        awsRequestId: 'req-malformed',
        envelopeId: event.id,
        error: expect.objectContaining({ name: 'InvalidEventError' }),
      }),
    ]);
  });

  describe('when SNS fails', () => {
    const event = eventFixture('start-export-task-assumed-role.json');

    it('rejects after the SDK retries a server error, leaving the alert archived for the Lambda retry', async () => {
      sns.failNext(3, 'InternalError');

      await expect(invoke(event, 'req-sns-down')).rejects.toMatchObject({ name: 'InternalErrorException' });

      expect(sns.publishAttempts).toBe(3);
      expect(sns.publishes).toHaveLength(0);
      // Archive first: the alert is on record although nobody was notified yet.
      expect(await s3.listObjects()).toEqual([alertKey(event)]);
      expect(stdout.jsonLines()).toEqual([
        expect.objectContaining({
          level: 'error',
          message: 'event processing failed',
          awsRequestId: 'req-sns-down',
          envelopeId: event.id,
          eventId: detailOf(event).eventID,
          error: expect.objectContaining({ name: 'InternalErrorException' }),
        }),
      ]);

      // Lambda's retry of the same event: one notification, and still one archived object.
      await expect(invoke(event, 'req-sns-back')).resolves.toEqual({ alerts: 1, duplicates: 0 });
      expect(sns.publishes).toHaveLength(1);
      expect(await s3.listObjects()).toEqual([alertKey(event)]);
    });

    it('rejects at once on a client error that retrying cannot fix', async () => {
      sns.failNext(1, 'InvalidParameter', 'Invalid parameter: TopicArn');

      await expect(invoke(event)).rejects.toMatchObject({
        name: 'InvalidParameterException',
        message: 'Invalid parameter: TopicArn',
      });
      expect(sns.publishAttempts).toBe(1);
      expect(sns.publishes).toHaveLength(0);
    });

    it('publishes again with the generic subject when SNS rejects the subject', async () => {
      sns.failNext(1, 'InvalidParameter', 'Invalid parameter: Subject');

      await expect(invoke(event, 'req-bad-subject')).resolves.toEqual({ alerts: 1, duplicates: 0 });

      expect(sns.publishAttempts).toBe(2);
      expect(sns.publishes).toHaveLength(1);
      expect(sns.publishes[0].subject).toBe('[LOW] AWS RDS Snapshot Export');
      expect(stdout.jsonLines().map((line) => [line.level, line.message])).toEqual([
        ['warn', 'SNS rejected the alert subject; published with the generic subject'],
        ['info', 'alert published'],
        ['info', 'event processed'],
      ]);
    });
  });

  describe('in a container whose archive bucket does not exist', () => {
    it('rejects before publishing anything', async () => {
      const misconfigured = loadHandler({ ALERT_ARCHIVE_BUCKET: 'no-such-alert-bucket' });

      await expect(
        misconfigured.handler(eventFixture('start-export-task-assumed-role.json'), lambdaContext('req-no-bucket')),
      ).rejects.toMatchObject({ name: 'NoSuchBucket' });
      expect(sns.publishAttempts).toBe(0);
    });
  });

  describe('in a container with its own archive prefix', () => {
    it.each([
      ['detector/archive', 'detector/archive/'],
      ['/detector/archive/', 'detector/archive/'],
      ['', ''],
    ])('ALERT_ARCHIVE_PREFIX=%p archives under %p', async (prefix, expectedPrefix) => {
      const prefixed = loadHandler({ ALERT_ARCHIVE_PREFIX: prefix });
      const event = eventFixture('start-export-task-root.json');

      await prefixed.handler(event, lambdaContext('req-prefix'));

      expect(await s3.listObjects()).toEqual([`${expectedPrefix}${RULE_ID}/${detailOf(event).eventID}.json`]);
    });
  });

  describe('at cold start', () => {
    it('fails with a message naming every missing setting', () => {
      expect(() => loadHandler({ ALERT_TOPIC_ARN: undefined, ALERT_ARCHIVE_BUCKET: '' })).toThrow(
        'Detector Lambda is misconfigured: missing environment variable ALERT_TOPIC_ARN (SNS topic for alerts), ' +
          'ALERT_ARCHIVE_BUCKET (S3 bucket for archived alerts)',
      );
    });

    it('fails when the rule pack cannot be read, naming its path', () => {
      expect(() => loadHandler({ DETECTOR_RULES_PATH: '/nonexistent/rules.json' })).toThrow(
        /^Cannot read the detector rule pack at \/nonexistent\/rules\.json: ENOENT/,
      );
    });

    it('fails when the rule pack is not a rule pack', () => {
      const notAPack = writeRulePack();
      writeFileSync(notAPack.path, '{"rules": []}');
      try {
        expect(() => loadHandler({ DETECTOR_RULES_PATH: notAPack.path })).toThrow(notAPack.path);
      } finally {
        notAPack.remove();
      }
    });
  });
});

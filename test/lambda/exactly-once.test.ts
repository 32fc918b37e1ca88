import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { captureStdout, type CapturedStdout } from '../support/captured-stdout';
import { lambdaContext } from '../support/lambda-context';
import { snsLimitViolations } from '../support/sns-limits';
import {
  detailOf,
  eventFixture,
  loadHandler,
  type CloudTrailEvent,
  type HandlerModule,
  useLocalLambdaTestbed,
} from './handler-harness';
import type { ConditionalLocalS3 } from '../support/conditional-s3';
import type { SnsRecorder } from '../support/sns-recorder';

const RULE_ID = '119c8877-8613-416d-a98a-96b6664ee73a';
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:cloudtrail-detector-alerts';
const FORMAT = 'cloudtrail-stream-detector/archived-alert/v1';

/**
 * "Never lose an alert, never send it twice", against local SNS and S3 with real conditional-write semantics
 * (see test/support/conditional-s3.ts). Each `loadHandler()` is a separate Lambda container: its own module
 * state and SDK clients, sharing only the bucket and the topic.
 */
describe('exactly one alert per CloudTrail event', () => {
  let s3: ConditionalLocalS3;
  let sns: SnsRecorder;
  let s3Client: S3Client;
  let stdout: CapturedStdout;
  let containerA: HandlerModule;
  let containerB: HandlerModule;

  const event = eventFixture('start-export-task-assumed-role.json');
  const eventId = detailOf(event).eventID as string;
  const key = `alerts/${RULE_ID}/${eventId}.json`;

  const testbed = useLocalLambdaTestbed('exactly-once-archive', TOPIC_ARN);

  beforeAll(() => {
    ({ s3, sns, s3Client } = testbed);
    const coldStart = captureStdout();
    try {
      containerA = loadHandler();
      containerB = loadHandler();
    } finally {
      coldStart.restore();
    }
  });

  beforeEach(() => {
    stdout = testbed.stdout;
  });

  const archived = async () => {
    const object = await s3.readObject(key);
    return object === undefined ? undefined : (JSON.parse(object.body) as Record<string, any>);
  };
  const messages = () => stdout.jsonLines().map((line) => line.message);
  const putArchiveObject = (body: unknown) =>
    s3Client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: JSON.stringify(body), ContentType: 'application/json' }));
  const claimBy = (requestId: string, claimedAt: Date) => ({
    format: FORMAT,
    state: 'claimed',
    ruleId: RULE_ID,
    eventId,
    requestId,
    claimedAt: claimedAt.toISOString(),
    alert: { note: 'alert as claimed by the other invocation' },
  });

  describe('the same event delivered three times by two containers', () => {
    it('one after the other: publishes once, then suppresses the duplicates', async () => {
      await expect(containerA.handler(event, lambdaContext('req-1'))).resolves.toEqual({ alerts: 1, duplicates: 0 });
      // EventBridge redelivery landing in the other container, then a CloudTrail duplicate back in the first.
      await expect(containerB.handler(event, lambdaContext('req-2'))).resolves.toEqual({ alerts: 1, duplicates: 1 });
      await expect(containerA.handler(structuredClone(event), lambdaContext('req-3'))).resolves.toEqual({ alerts: 1, duplicates: 1 });

      expect(sns.publishes).toHaveLength(1);
      expect(await s3.listObjects()).toEqual([key]);
      expect(await archived()).toMatchObject({ state: 'published', requestId: 'req-1', snsMessageId: sns.publishes[0].messageId });
      const suppressed = stdout.jsonLines().filter((line) => line.message === 'duplicate suppressed');
      expect(suppressed).toEqual([
        expect.objectContaining({ level: 'info', awsRequestId: 'req-2', eventId, archiveKey: key, publishedBy: 'req-1', snsMessageId: sns.publishes[0].messageId }),
        expect.objectContaining({ level: 'info', awsRequestId: 'req-3', eventId, publishedBy: 'req-1' }),
      ]);
    });

    it('two containers at once, then a retry: one publish, the loser fails retryably or suppresses', async () => {
      const [first, second] = await Promise.allSettled([
        containerA.handler(event, lambdaContext('req-a')),
        containerB.handler(event, lambdaContext('req-b')),
      ]);
      const outcomes = [first, second];
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled' && outcome.value.duplicates === 0)).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ name: 'AlertDeliveryInProgressError', retryable: true });
        else expect(outcome.value.alerts).toBe(1);
      }
      // Lambda's retry of whichever failed (or a third delivery): a duplicate now.
      await expect(containerB.handler(event, lambdaContext('req-c'))).resolves.toEqual({ alerts: 1, duplicates: 1 });
      expect(sns.publishes).toHaveLength(1);
      expect(await archived()).toMatchObject({ state: 'published' });
    });

    it('many deliveries racing across both containers still publish exactly once', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, index) => (index % 2 ? containerA : containerB).handler(event, lambdaContext(`req-race-${index}`))),
      );
      for (const result of results) {
        if (result.status === 'rejected') expect(result.reason).toMatchObject({ name: 'AlertDeliveryInProgressError' });
      }
      expect(sns.publishes).toHaveLength(1);
    });
  });

  describe('when SNS fails', () => {
    it('fails the invocation on every try, and the retry after SNS recovers publishes exactly once', async () => {
      sns.failNext(3, 'InternalError'); // the SDK's three attempts
      await expect(containerA.handler(event, lambdaContext('req-sns'))).rejects.toMatchObject({ name: 'InternalErrorException' });
      sns.failNext(3, 'InternalError');
      await expect(containerA.handler(event, lambdaContext('req-sns'))).rejects.toMatchObject({ name: 'InternalErrorException' });
      expect(sns.publishes).toHaveLength(0);
      // The alert is on record, and the claim was given back.
      expect(await archived()).toMatchObject({ state: 'publish_failed', requestId: 'req-sns', failure: expect.stringContaining('InternalError') });

      // Lambda's retry (same request id) after SNS recovered; then a redelivery in the other container.
      await expect(containerA.handler(event, lambdaContext('req-sns'))).resolves.toEqual({ alerts: 1, duplicates: 0 });
      await expect(containerB.handler(event, lambdaContext('req-other'))).resolves.toEqual({ alerts: 1, duplicates: 1 });

      expect(sns.publishAttempts).toBe(7);
      expect(sns.publishes).toHaveLength(1);
      expect(await archived()).toMatchObject({
        state: 'published',
        requestId: 'req-sns',
        snsMessageId: sns.publishes[0].messageId,
        tookOver: { state: 'publish_failed', requestId: 'req-sns' },
        alert: { event: { id: eventId } },
      });
    });

    it('a retry under another request id takes a released claim over at once', async () => {
      sns.failNext(3, 'InternalError');
      await expect(containerA.handler(event, lambdaContext('req-x'))).rejects.toThrow();
      await expect(containerB.handler(event, lambdaContext('req-y'))).resolves.toEqual({ alerts: 1, duplicates: 0 });
      expect(sns.publishes).toHaveLength(1);
      expect(await archived()).toMatchObject({ state: 'published', requestId: 'req-y', tookOver: { state: 'publish_failed', requestId: 'req-x' } });
    });

    it('when the claim cannot even be released, its own retry still takes it over; others wait for the lease', async () => {
      sns.failNext(3, 'InternalError');
      s3.failNext(3, { method: 'PUT', condition: 'if-match' });
      await expect(containerA.handler(event, lambdaContext('req-stuck'))).rejects.toMatchObject({ name: 'InternalErrorException' });
      expect(await archived()).toMatchObject({ state: 'claimed', requestId: 'req-stuck' });
      expect(messages()).toContain('could not release the delivery claim after the failed publish; it expires after the lease');

      await expect(containerB.handler(event, lambdaContext('req-someone-else'))).rejects.toMatchObject({
        name: 'AlertDeliveryInProgressError',
        heldBy: 'req-stuck',
        message: expect.stringMatching(/being delivered by invocation req-stuck .*Lambda retries/),
      });
      expect(sns.publishAttempts).toBe(3);

      await expect(containerA.handler(event, lambdaContext('req-stuck'))).resolves.toEqual({ alerts: 1, duplicates: 0 });
      expect(sns.publishes).toHaveLength(1);
    });
  });

  describe('a claim held by another invocation', () => {
    it('younger than the lease: fails the invocation with a retryable error and sends nothing', async () => {
      await putArchiveObject(claimBy('req-holder', new Date(Date.now() - 60_000)));

      await expect(containerA.handler(event, lambdaContext('req-late'))).rejects.toMatchObject({
        name: 'AlertDeliveryInProgressError',
        retryable: true,
        archiveKey: key,
      });
      expect(sns.publishAttempts).toBe(0);
      expect(await archived()).toMatchObject({ state: 'claimed', requestId: 'req-holder' });
      expect(stdout.jsonLines().at(-1)).toMatchObject({
        level: 'error',
        message: 'event processing failed',
        envelopeId: event.id,
        eventId,
        error: expect.objectContaining({ name: 'AlertDeliveryInProgressError' }),
      });
    });

    it('older than the lease: is taken over by exactly one of two containers, which publishes', async () => {
      await putArchiveObject(claimBy('req-dead', new Date(Date.now() - 301_000)));

      const results = await Promise.allSettled([
        containerA.handler(event, lambdaContext('req-taker-a')),
        containerB.handler(event, lambdaContext('req-taker-b')),
      ]);

      expect(sns.publishes).toHaveLength(1);
      const stored = await archived();
      expect(stored).toMatchObject({ state: 'published', tookOver: { state: 'claimed', requestId: 'req-dead' } });
      expect(['req-taker-a', 'req-taker-b']).toContain(stored!.requestId);
      expect(stored!.alert.kibana.alert.rule.rule_id).toBe(RULE_ID);
      for (const result of results) {
        if (result.status === 'rejected') expect(result.reason).toMatchObject({ name: 'AlertDeliveryInProgressError' });
      }
    });

    it('honours ALERT_CLAIM_LEASE_SECONDS', async () => {
      const shortLease = loadHandler({ ALERT_CLAIM_LEASE_SECONDS: '30' });
      await putArchiveObject(claimBy('req-holder', new Date(Date.now() - 45_000)));

      await expect(shortLease.handler(event, lambdaContext('req-short'))).resolves.toEqual({ alerts: 1, duplicates: 0 });
      // The default lease (300 s) would still have respected that claim.
      expect(sns.publishes).toHaveLength(1);
    });
  });

  it('takes over an archive object it does not recognise (a raw alert archived by the previous version)', async () => {
    await putArchiveObject({ '@timestamp': '2026-11-20T03:24:12.000Z', event: { id: eventId, kind: 'signal' } });

    await expect(containerA.handler(event, lambdaContext('req-upgrade'))).resolves.toEqual({ alerts: 1, duplicates: 0 });
    expect(sns.publishes).toHaveLength(1);
    expect(await archived()).toMatchObject({ format: FORMAT, state: 'published', tookOver: { state: 'unrecognised' } });
  });

  it('tries the claim again after a 409 ConditionalRequestConflict, without reading a key that may be missing', async () => {
    s3.conflictNext(1, { method: 'PUT', condition: 'if-none-match' });

    await expect(containerA.handler(event, lambdaContext('req-409'))).resolves.toEqual({ alerts: 1, duplicates: 0 });
    expect(sns.publishes).toHaveLength(1);
    expect(s3.requests.filter((request) => request.status === 403)).toEqual([]);
  });

  describe('when S3 fails (after the SDK retries)', () => {
    it('on the claim: fails the invocation and sends nothing', async () => {
      s3.failNext(3, { method: 'PUT', condition: 'if-none-match' });

      await expect(containerA.handler(event, lambdaContext('req-s3-down'))).rejects.toMatchObject({ name: 'InternalError' });
      expect(sns.publishAttempts).toBe(0);
      expect(await s3.listObjects()).toEqual([]);

      await expect(containerA.handler(event, lambdaContext('req-s3-down'))).resolves.toEqual({ alerts: 1, duplicates: 0 });
      expect(sns.publishes).toHaveLength(1);
    });

    it('on reading the claim state: fails the invocation and sends nothing', async () => {
      await putArchiveObject(claimBy('req-dead', new Date(0)));
      s3.failNext(3, { method: 'GET' });

      await expect(containerA.handler(event, lambdaContext('req-get-down'))).rejects.toMatchObject({ name: 'InternalError' });
      expect(sns.publishAttempts).toBe(0);
    });

    it('on recording "published" (the residual window): fails, and the retry sends at most one duplicate', async () => {
      s3.failNext(3, { method: 'PUT', condition: 'if-match' });

      await expect(containerA.handler(event, lambdaContext('req-window'))).rejects.toMatchObject({ name: 'InternalError' });
      expect(sns.publishes).toHaveLength(1);
      expect(await archived()).toMatchObject({ state: 'claimed', requestId: 'req-window', alert: { event: { id: eventId } } });
      expect(stdout.jsonLines()).toContainEqual(
        expect.objectContaining({ level: 'error', message: 'alert published but the archive could not record it; the retry may publish it once more', snsMessageId: sns.publishes[0].messageId }),
      );

      await expect(containerA.handler(event, lambdaContext('req-window'))).resolves.toEqual({ alerts: 1, duplicates: 0 });
      await expect(containerB.handler(event, lambdaContext('req-later'))).resolves.toEqual({ alerts: 1, duplicates: 1 });
      expect(sns.publishes).toHaveLength(2); // the documented worst case: one duplicate, never a loss
    });
  });

  describe('malformed events', () => {
    const malformed = (change: (detail: Record<string, unknown>) => void): CloudTrailEvent => {
      const copy = structuredClone(event);
      change(copy.detail as Record<string, unknown>);
      return copy;
    };

    it.each([
      ['eventID is a number', (detail: Record<string, unknown>) => (detail.eventID = 42), '42', /eventID must be a non-empty string, got number/],
      ['eventID is missing', (detail: Record<string, unknown>) => delete detail.eventID, undefined, /eventID must be a non-empty string, got undefined/],
      ['eventName is an object', (detail: Record<string, unknown>) => (detail.eventName = { StartExportTask: true }), eventId, /eventName must be a non-empty string, got object/],
      ['eventSource is null', (detail: Record<string, unknown>) => (detail.eventSource = null), eventId, /eventSource must be a non-empty string, got null/],
    ])('rejects a record whose %s, logging the envelope and event ids', async (_what, change, loggedEventId, reason) => {
      const bad = malformed(change);

      await expect(containerA.handler(bad, lambdaContext('req-bad'))).rejects.toMatchObject({ name: 'InvalidEventError', envelopeId: event.id, message: expect.stringMatching(reason) });

      expect(sns.publishAttempts).toBe(0);
      expect(await s3.listObjects()).toEqual([]);
      const lines = stdout.jsonLines();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 'error', message: 'event processing failed', awsRequestId: 'req-bad', envelopeId: event.id, error: { name: 'InvalidEventError' } });
      expect(lines[0].eventId).toBe(loggedEventId);
    });

    it.each([
      ['without detail', 'envelope-without-detail.json'],
      ['with a string as detail', 'envelope-detail-as-string.json'],
    ])('rejects an envelope %s', async (_what, fixture) => {
      await expect(containerB.handler(eventFixture(fixture), lambdaContext('req-bad'))).rejects.toMatchObject({ name: 'InvalidEventError' });
      expect(sns.publishAttempts).toBe(0);
    });

    it('rejects something that is not an object at all', async () => {
      await expect(containerB.handler(null as unknown as CloudTrailEvent, lambdaContext('req-null'))).rejects.toMatchObject({ name: 'InvalidEventError' });
      expect(stdout.jsonLines()).toEqual([expect.objectContaining({ level: 'error', awsRequestId: 'req-null' })]);
    });
  });

  it('returns normally for a well-formed event that matches no rule', async () => {
    await expect(containerA.handler(eventFixture('create-db-snapshot.json'), lambdaContext('req-none'))).resolves.toEqual({ alerts: 0, duplicates: 0 });
    expect(sns.publishAttempts).toBe(0);
    expect(await s3.listObjects()).toEqual([]);
  });

  it('alerts on a 240 KB matching event within SNS limits, marking what was cut, and archives it whole', async () => {
    const huge = structuredClone(event);
    const detail = huge.detail as Record<string, any>;
    detail.requestParameters.exportOnly = Array.from({ length: 2400 }, (_, index) => `orders_db.customer_table_${String(index).padStart(5, '0')}_${'x'.repeat(60)}`);
    detail.responseElements.exportOnly = detail.requestParameters.exportOnly.slice(0, 600);
    expect(Buffer.byteLength(JSON.stringify(huge))).toBeGreaterThan(240 * 1024);

    await expect(containerA.handler(huge, lambdaContext('req-huge'))).resolves.toEqual({ alerts: 1, duplicates: 0 });

    expect(sns.publishes).toHaveLength(1);
    const [publish] = sns.publishes;
    const attributes = Object.fromEntries(Object.entries(publish.messageAttributes).map(([name, value]) => [name, value.stringValue]));
    expect(snsLimitViolations({ subject: publish.subject, message: publish.message, attributes })).toEqual([]);
    const message = JSON.parse(publish.message!) as { default: string; email: string };
    const alert = JSON.parse(message.default);
    expect(alert.kibana.alert.truncated_fields).toEqual(expect.arrayContaining(['event.original']));
    expect(message.default).toMatch(/more characters cut/);
    expect(alert.kibana.alert.rule.rule_id).toBe(RULE_ID);
    expect(alert.event.id).toBe(eventId);
    // The archive keeps the whole alert: the full event is in event.original there.
    const stored = await archived();
    expect(stored!.state).toBe('published');
    expect(JSON.parse(stored!.alert.event.original).requestParameters.exportOnly).toHaveLength(2400);
  });
});

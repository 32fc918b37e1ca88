import { PutObjectCommand } from '@aws-sdk/client-s3';
import { undeliveredAlertRequest } from '../../src/engine/alerts/undelivered-alert-request';
import { captureStdout } from '../support/captured-stdout';
import { lambdaContext } from '../support/lambda-context';
import { SEED_RULE_ID, writeSuppressingRulePack, type TempFile } from '../support/exception-fixtures';
import { detailOf, eventFixture, loadHandler, useLocalLambdaTestbed, type CloudTrailEvent, type HandlerModule } from './handler-harness';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:cloudtrail-detector-alerts';
const RULE_ID = SEED_RULE_ID;

/** What `redrive --undelivered-alerts` sends the function (a direct invoke, not an EventBridge event). */
const request = (archiveKey: string) => undeliveredAlertRequest(archiveKey) as unknown as CloudTrailEvent;

/** The fixture's export (one engineer, one snapshot) under another event id. */
function engineerEvent(eventId: string): CloudTrailEvent {
  const event = structuredClone(eventFixture('start-export-task-assumed-role.json'));
  event.id = `envelope-${eventId}`;
  (event.detail as Record<string, any>).eventID = eventId;
  return event;
}

/**
 * The second kind of invocation: "re-deliver this archived alert", against local S3 (conditional writes, S3's 403 for a
 * missing key) and SNS. Each `loadHandler()` is a container of its own.
 */
describe('re-delivering an archived alert that was never delivered', () => {
  const testbed = useLocalLambdaTestbed('undelivered-archive', TOPIC_ARN);
  let lambda: HandlerModule;
  const temporary: TempFile[] = [];
  const event = eventFixture('start-export-task-assumed-role.json');
  const eventId = detailOf(event).eventID as string;
  const key = `alerts/${RULE_ID}/${eventId}.json`;

  beforeAll(() => {
    const coldStart = captureStdout();
    try {
      lambda = loadHandler();
    } finally {
      coldStart.restore();
    }
  });
  afterAll(() => {
    for (const file of temporary) file.remove();
  });

  const archived = async (at = key) => JSON.parse((await testbed.s3.readObject(at))!.body) as Record<string, any>;
  const put = (at: string, body: unknown) =>
    testbed.s3Client.send(new PutObjectCommand({ Bucket: testbed.s3.bucket, Key: at, Body: typeof body === 'string' ? body : JSON.stringify(body), ContentType: 'application/json' }));
  /** The event's alert ends `publish_failed`, as after an SNS (or KMS key policy) failure outlasting Lambda's retries. */
  async function failedPublish(): Promise<Record<string, any>> {
    testbed.sns.failNext(3, 'InternalError');
    await expect(lambda.handler(event, lambdaContext('req-outage'))).rejects.toMatchObject({ name: 'InternalErrorException' });
    const failed = await archived();
    expect(failed).toMatchObject({ state: 'publish_failed', requestId: 'req-outage' });
    return failed;
  }

  it('publish_failed: published once and recorded; asked again, nothing is sent twice, nor by a re-driven event', async () => {
    await failedPublish();
    testbed.s3.clearRequests();

    await expect(lambda.handler(request(key), lambdaContext('req-redeliver'))).resolves.toEqual({
      alerts: 1,
      duplicates: 0,
      redelivery: { archiveKey: key, outcome: 'published' },
    });
    expect(testbed.sns.publishes).toHaveLength(1);
    expect(JSON.parse(JSON.parse(testbed.sns.publishes[0]!.message!).default)).toMatchObject({ event: { id: eventId }, kibana: { alert: { rule: { rule_id: RULE_ID } } } });
    expect(await archived()).toMatchObject({
      state: 'published',
      requestId: 'req-redeliver',
      snsMessageId: testbed.sns.publishes[0]!.messageId,
      tookOver: { state: 'publish_failed', requestId: 'req-outage' },
    });

    // What it asks of S3: its read, then the normal path's (create refused, read, take-over, published).
    const asked = () => testbed.s3.requests.map(({ method, ifNoneMatch, ifMatch, status }) => `${method}${ifNoneMatch ? ' If-None-Match' : ''}${ifMatch ? ' If-Match' : ''} ${status}`);
    expect(asked()).toEqual(['GET 200', 'PUT If-None-Match 412', 'GET 200', 'PUT If-Match 200', 'PUT If-Match 200']);
    testbed.s3.clearRequests();

    await expect(lambda.handler(request(key), lambdaContext('req-redeliver-again'))).resolves.toEqual({
      alerts: 1,
      duplicates: 1,
      redelivery: { archiveKey: key, outcome: 'duplicate' },
    });
    expect(asked()).toEqual(['GET 200']); // a duplicate costs one read
    // The failure queue's copy of the event, re-driven afterwards (docs/redrive.md's order): a duplicate too.
    await expect(lambda.handler(event, lambdaContext('req-redriven-event'))).resolves.toEqual({ alerts: 1, duplicates: 1 });
    expect(testbed.sns.publishes).toHaveLength(1);
  });

  it('a claim another invocation took less than a lease ago: retryable error, nothing sent', async () => {
    const failed = await failedPublish();
    await put(key, { ...failed, state: 'claimed', requestId: 'req-holder', claimedAt: new Date(Date.now() - 60_000).toISOString() });

    await expect(lambda.handler(request(key), lambdaContext('req-redeliver'))).rejects.toMatchObject({ name: 'AlertDeliveryInProgressError', retryable: true, heldBy: 'req-holder' });
    expect(testbed.sns.publishes).toHaveLength(0);
    expect(await archived()).toMatchObject({ state: 'claimed', requestId: 'req-holder' });
  });

  it('a claim whose holder died (older than the lease): taken over and published once', async () => {
    const failed = await failedPublish();
    await put(key, { ...failed, state: 'claimed', requestId: 'req-dead', claimedAt: new Date(Date.now() - 301_000).toISOString(), failedAt: undefined });

    await expect(lambda.handler(request(key), lambdaContext('req-redeliver'))).resolves.toMatchObject({ alerts: 1, duplicates: 0, redelivery: { outcome: 'published' } });
    expect(testbed.sns.publishes).toHaveLength(1);
    expect(await archived()).toMatchObject({ state: 'published', tookOver: { state: 'claimed', requestId: 'req-dead' } });
  });

  it.each([
    ['outside the archive prefix', `suppression/${RULE_ID}/window.json`, 'InvalidKey'],
    ['with a .. segment', `alerts/${RULE_ID}/../../secrets/x.json`, 'InvalidKey'],
    ['not .json', `alerts/${RULE_ID}/${'e'.repeat(20)}.txt`, 'InvalidKey'],
    ['longer than S3 allows', `alerts/${RULE_ID}/${'e'.repeat(1100)}.json`, 'InvalidKey'],
    ['with a control character', `alerts/${RULE_ID}/e\u001b[2J.json`, 'InvalidKey'],
    ['of no object (S3 answers 403 without ListBucket)', `alerts/${RULE_ID}/no-such-event.json`, 'MissingObject'],
  ])('a key %s: refused with a metric, nothing sent, not thrown', async (_what, archiveKey, refusal) => {
    await failedPublish();
    await expect(lambda.handler(request(archiveKey), lambdaContext('req-refused'))).resolves.toEqual({
      alerts: 0,
      duplicates: 0,
      refused: 'undelivered_alert',
      redelivery: { archiveKey: refusal === 'InvalidKey' ? undefined : archiveKey, outcome: 'refused', refusal, reason: expect.any(String) },
    });
    expect(testbed.stdout.jsonLines()).toContainEqual(expect.objectContaining({ UndeliveredAlertRefused: 1, Reason: refusal }));
    expect(testbed.stdout.jsonLines()).toContainEqual(expect.objectContaining({ level: 'error', message: 're-delivery of an archived alert refused', refusal }));
    expect(testbed.sns.publishes).toHaveLength(0);
    expect(await archived()).toMatchObject({ state: 'publish_failed' });
  });

  it('a request without a key: refused', async () => {
    const invalid = { source: 'cloudtrail-stream-detector', 'detail-type': 'Undelivered Alert', detail: { archiveKey: 42 } } as unknown as CloudTrailEvent;
    await expect(lambda.handler(invalid, lambdaContext('req-refused'))).resolves.toMatchObject({ refused: 'undelivered_alert', redelivery: { refusal: 'InvalidKey' } });
  });

  it('an object that is not an archived alert, or one that belongs at another key: refused', async () => {
    const failed = await failedPublish();
    await put(`alerts/${RULE_ID}/raw.json`, 'a raw alert of an older version');
    await put(`alerts/${RULE_ID}/copied.json`, failed);

    for (const archiveKey of [`alerts/${RULE_ID}/raw.json`, `alerts/${RULE_ID}/copied.json`]) {
      await expect(lambda.handler(request(archiveKey), lambdaContext('req-refused'))).resolves.toMatchObject({
        refused: 'undelivered_alert',
        redelivery: { archiveKey, refusal: 'NotAnArchivedAlert' },
      });
    }
    expect(testbed.sns.publishes).toHaveLength(0);
  });

  it('an alert of a rule no longer in the pack: refused', async () => {
    const failed = await failedPublish();
    const retired = `alerts/retired-rule/${eventId}.json`;
    await put(retired, { ...failed, ruleId: 'retired-rule' });

    await expect(lambda.handler(request(retired), lambdaContext('req-refused'))).resolves.toMatchObject({
      alerts: 0,
      refused: 'undelivered_alert',
      redelivery: { archiveKey: retired, refusal: 'RuleNotInPack', reason: 'rule retired-rule is not in the deployed rule pack' },
    });
    expect(testbed.stdout.jsonLines()).toContainEqual(expect.objectContaining({ UndeliveredAlertRefused: 1, Reason: 'RuleNotInPack', ArchiveKey: retired }));
    expect(testbed.sns.publishes).toHaveLength(0);
  });

  it('a claim that died before its suppression window decided: the window decides, as on the normal path', async () => {
    const suppressing = writeSuppressingRulePack();
    temporary.push(suppressing);
    const coldStart = captureStdout();
    const withSuppression = loadHandler({ DETECTOR_RULES_PATH: suppressing.path });
    coldStart.restore();
    const opener = '5e6f0000-0000-4000-8000-00000000e001';
    const crashed = '5e6f0000-0000-4000-8000-00000000e002';
    const crashedKey = `alerts/${RULE_ID}/${crashed}.json`;
    await expect(withSuppression.handler(engineerEvent(opener), lambdaContext('req-open'))).resolves.toEqual({ alerts: 1, duplicates: 0 });
    const openerAlert = JSON.parse(JSON.parse(testbed.sns.publishes[0]!.message!).default);
    // The crash: the claim (awaiting its window) was written; the invocation died before the window said anything.
    await put(crashedKey, {
      format: 'cloudtrail-stream-detector/archived-alert/v1',
      state: 'claimed',
      ruleId: RULE_ID,
      eventId: crashed,
      requestId: 'req-dead',
      claimedAt: new Date(Date.now() - 600_000).toISOString(),
      awaitingWindow: true,
      alert: { ...openerAlert, event: { ...openerAlert.event, id: crashed } },
    });

    // Same user, same snapshot, inside the opener's window: suppressed, not published.
    await expect(withSuppression.handler(request(crashedKey), lambdaContext('req-redeliver'))).resolves.toEqual({
      alerts: 1,
      duplicates: 0,
      suppressed: 1,
      redelivery: { archiveKey: crashedKey, outcome: 'suppressed_by_window' },
    });
    expect(testbed.sns.publishes).toHaveLength(1);
    expect(await archived(crashedKey)).toMatchObject({ state: 'suppressed_by_window', requestId: 'req-redeliver' });
    await expect(withSuppression.handler(request(crashedKey), lambdaContext('req-again'))).resolves.toMatchObject({ duplicates: 1, redelivery: { outcome: 'duplicate_suppressed' } });
  });
});

import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CapturedStdout } from '../support/captured-stdout';
import { lambdaContext } from '../support/lambda-context';
import type { ConditionalLocalS3 } from '../support/conditional-s3';
import type { SnsRecorder } from '../support/sns-recorder';
import {
  inThirtyDays,
  nightlyBackupExportExpiring,
  nightlyBackupRecord,
  NIGHTLY_ITEM_ID,
  NIGHTLY_LIST_ID,
  SEED_RULE_ID,
  writeExceptionPack,
  writeSuppressingRulePack,
  type TempFile,
} from '../support/exception-fixtures';
import { detailOf, eventFixture, loadHandler, useLocalLambdaTestbed, type CloudTrailEvent, type HandlerModule } from './handler-harness';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:cloudtrail-detector-alerts';
const BASE = eventFixture('start-export-task-assumed-role.json');

function nightlyEvent(eventId: string): CloudTrailEvent {
  return { ...structuredClone(BASE), id: `envelope-${eventId}`, detail: nightlyBackupRecord(detailOf(BASE), eventId) };
}

/** The base event (an engineer's SSO role, acme-analytics-landing) under another event id: same user, same snapshot. */
function engineerEvent(eventId: string): CloudTrailEvent {
  const event = structuredClone(BASE);
  event.id = `envelope-${eventId}`;
  (event.detail as Record<string, any>).eventID = eventId;
  return event;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('Lambda: rule exceptions and alert suppression against local SNS and S3', () => {
  let s3: ConditionalLocalS3;
  let s3Client: S3Client;
  let sns: SnsRecorder;
  let stdout: CapturedStdout;
  const temporary: TempFile[] = [];

  const testbed = useLocalLambdaTestbed('detector-alert-archive', TOPIC_ARN);

  beforeAll(() => {
    ({ s3, sns, s3Client } = testbed);
  });

  beforeEach(() => {
    stdout = testbed.stdout;
  });

  afterAll(() => {
    for (const file of temporary) file.remove();
  });

  const handlerWith = (overrides: Record<string, string>): HandlerModule => loadHandler(overrides);
  const archived = async (eventId: string) => JSON.parse((await s3.readObject(`alerts/${SEED_RULE_ID}/${eventId}.json`))!.body);
  /** Puts an object at the event's archive key without conditions, as an earlier attempt or an older version left it. */
  const putArchived = (eventId: string, body: unknown) =>
    s3Client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `alerts/${SEED_RULE_ID}/${eventId}.json`, Body: JSON.stringify(body), ContentType: 'application/json' }));
  const earlierAttempt = (eventId: string, state: 'claimed' | 'publish_failed', requestId: string, claimedAt: Date) => ({
    format: 'cloudtrail-stream-detector/archived-alert/v1',
    state,
    ruleId: SEED_RULE_ID,
    eventId,
    requestId,
    claimedAt: claimedAt.toISOString(),
    ...(state === 'publish_failed' ? { failedAt: claimedAt.toISOString(), failure: 'InternalErrorException: injected' } : {}),
    alert: { event: { id: eventId, kind: 'signal' }, note: 'alert as claimed by the earlier attempt' },
  });

  describe('an exception list item for the nightly backup role', () => {
    let lambda: HandlerModule;

    beforeAll(() => {
      // The hand-written export, its item's expiry moved to 30 days from now so the test does not rot.
      const pack = writeExceptionPack(nightlyBackupExportExpiring(inThirtyDays()));
      temporary.push(pack);
      lambda = handlerWith({ DETECTOR_EXCEPTIONS_PATH: pack.path });
    });

    it('stops the alert: nothing is published, the match is archived with the list and item id and counted (EMF)', async () => {
      const event = nightlyEvent('1a2b3c4d-0000-4000-8000-00000000b001');
      await expect(lambda.handler(event, lambdaContext('req-nightly'))).resolves.toEqual({ alerts: 1, duplicates: 0, suppressed: 1 });
      expect(sns.publishes).toHaveLength(0);

      const record = await archived('1a2b3c4d-0000-4000-8000-00000000b001');
      expect(record).toMatchObject({
        format: 'cloudtrail-stream-detector/archived-alert/v1',
        state: 'suppressed_by_exception',
        ruleId: SEED_RULE_ID,
        eventId: '1a2b3c4d-0000-4000-8000-00000000b001',
        requestId: 'req-nightly',
        exception: { listId: NIGHTLY_LIST_ID, itemId: NIGHTLY_ITEM_ID, itemName: 'nightly-backup role exports orders snapshot', owner: 'data-platform' },
      });
      expect(record.alert.user.name).toBe('nightly-backup');

      const metrics = stdout.jsonLines().filter((line) => '_aws' in line);
      expect(metrics).toEqual([
        expect.objectContaining({
          _aws: {
            Timestamp: expect.any(Number),
            CloudWatchMetrics: [
              { Namespace: 'CloudTrailStreamDetector', Dimensions: [['RuleId', 'ExceptionItemId']], Metrics: [{ Name: 'SuppressedByException', Unit: 'Count' }] },
            ],
          },
          RuleId: SEED_RULE_ID,
          ExceptionItemId: NIGHTLY_ITEM_ID,
          ExceptionListId: NIGHTLY_LIST_ID,
          SuppressedByException: 1,
        }),
      ]);
    });

    it('counts a redelivered excepted event once', async () => {
      const event = nightlyEvent('1a2b3c4d-0000-4000-8000-00000000b002');
      await expect(lambda.handler(event, lambdaContext('req-a'))).resolves.toEqual({ alerts: 1, duplicates: 0, suppressed: 1 });
      // The redelivery finds the suppressed_by_exception record: a duplicate, not a second suppression.
      await expect(lambda.handler(structuredClone(event), lambdaContext('req-b'))).resolves.toEqual({ alerts: 1, duplicates: 1 });
      expect(sns.publishes).toHaveLength(0);
      expect(stdout.jsonLines().filter((line) => line.SuppressedByException === 1)).toHaveLength(1);
      expect(await archived('1a2b3c4d-0000-4000-8000-00000000b002')).toMatchObject({ state: 'suppressed_by_exception', requestId: 'req-a' });
    });

    it.each([
      ['a publish_failed record', 'publish_failed' as const, 'req-earlier', new Date()],
      ['its own stale claim', 'claimed' as const, 'req-same', new Date()],
      ['a claim older than the lease', 'claimed' as const, 'req-dead', new Date(Date.now() - 301_000)],
    ])('replaces %s of an attempt made before the exception was deployed with the exception record', async (_what, state, holder, claimedAt) => {
      const eventId = `1a2b3c4d-0000-4000-8000-0000000b1${state === 'publish_failed' ? '01' : holder === 'req-same' ? '02' : '03'}`;
      await putArchived(eventId, earlierAttempt(eventId, state, holder, claimedAt));

      await expect(lambda.handler(nightlyEvent(eventId), lambdaContext('req-same'))).resolves.toEqual({ alerts: 1, duplicates: 0, suppressed: 1 });
      expect(sns.publishAttempts).toBe(0);
      expect(await archived(eventId)).toMatchObject({
        state: 'suppressed_by_exception',
        requestId: 'req-same',
        exception: { listId: NIGHTLY_LIST_ID, itemId: NIGHTLY_ITEM_ID },
        replaced: { state, requestId: holder },
      });
      expect(stdout.jsonLines().filter((line) => line.SuppressedByException === 1)).toHaveLength(1);
      // A redelivery now finds the exception record.
      await expect(lambda.handler(nightlyEvent(eventId), lambdaContext('req-later'))).resolves.toEqual({ alerts: 1, duplicates: 1 });
    });

    it('leaves a claim of another live invocation alone: fails retryably', async () => {
      const eventId = '1a2b3c4d-0000-4000-8000-0000000b1004';
      await putArchived(eventId, earlierAttempt(eventId, 'claimed', 'req-holder', new Date()));
      await expect(lambda.handler(nightlyEvent(eventId), lambdaContext('req-late'))).rejects.toMatchObject({ name: 'AlertDeliveryInProgressError', retryable: true });
      expect(await archived(eventId)).toMatchObject({ state: 'claimed', requestId: 'req-holder' });
    });

    it('does not overwrite an alert published before the exception was deployed: a duplicate', async () => {
      const eventId = '1a2b3c4d-0000-4000-8000-0000000b1005';
      const published = { ...earlierAttempt(eventId, 'claimed', 'req-old', new Date()), state: 'published', publishedAt: new Date().toISOString(), snsMessageId: 'sns-old' };
      await putArchived(eventId, published);
      await expect(lambda.handler(nightlyEvent(eventId), lambdaContext('req-new'))).resolves.toEqual({ alerts: 1, duplicates: 1 });
      expect(await archived(eventId)).toMatchObject({ state: 'published', snsMessageId: 'sns-old' });
      expect(stdout.jsonLines().filter((line) => line.SuppressedByException === 1)).toHaveLength(0);
    });

    it('still alerts on everyone else', async () => {
      await expect(lambda.handler(engineerEvent('1a2b3c4d-0000-4000-8000-00000000b003'), lambdaContext('req-other'))).resolves.toEqual({ alerts: 1, duplicates: 0 });
      expect(sns.publishes).toHaveLength(1);
    });
  });

  it('an expired item no longer suppresses: the alert is published', async () => {
    const pack = writeExceptionPack(nightlyBackupExportExpiring('2026-11-01T00:00:00.000Z'));
    temporary.push(pack);
    const lambda = handlerWith({ DETECTOR_EXCEPTIONS_PATH: pack.path });
    const event = nightlyEvent('1a2b3c4d-0000-4000-8000-00000000b004');
    await expect(lambda.handler(event, lambdaContext('req-expired'))).resolves.toEqual({ alerts: 1, duplicates: 0 });
    expect(sns.publishes).toHaveLength(1);
    expect((await archived('1a2b3c4d-0000-4000-8000-00000000b004')).state).toBe('published');
  });

  it('alert suppression: three exports by one user of one snapshot give one alert; the next alert after the window says two more were suppressed', async () => {
    const suppressing = writeSuppressingRulePack();
    temporary.push(suppressing);
    const lambda = handlerWith({ DETECTOR_RULES_PATH: suppressing.path });
    const ids = ['5e6f0000-0000-4000-8000-00000000c001', '5e6f0000-0000-4000-8000-00000000c002', '5e6f0000-0000-4000-8000-00000000c003'];

    await expect(lambda.handler(engineerEvent(ids[0]), lambdaContext('req-1'))).resolves.toEqual({ alerts: 1, duplicates: 0 });
    await expect(lambda.handler(engineerEvent(ids[1]), lambdaContext('req-2'))).resolves.toEqual({ alerts: 1, duplicates: 0, suppressed: 1 });
    await expect(lambda.handler(engineerEvent(ids[2]), lambdaContext('req-3'))).resolves.toEqual({ alerts: 1, duplicates: 0, suppressed: 1 });
    // A redelivery of a suppressed event is not counted again: a duplicate.
    await expect(lambda.handler(engineerEvent(ids[2]), lambdaContext('req-3b'))).resolves.toEqual({ alerts: 1, duplicates: 1 });
    expect(sns.publishes).toHaveLength(1);

    const first = JSON.parse(JSON.parse(sns.publishes[0].message!).default);
    expect(first.kibana.alert.suppression).toEqual({
      terms: [
        { field: 'user.name', value: 'AWSReservedSSO_DataEngineering_3f9c2a1b7d4e6f80' },
        { field: 'aws.cloudtrail.flattened.request_parameters.sourceArn', value: 'arn:aws:rds:us-east-1:123456789012:snapshot:rds:orders-prod-2026-11-20-03-17' },
      ],
      start: expect.any(String),
      end: expect.any(String),
      docs_count: 0,
    });
    for (const id of ids.slice(1)) {
      expect(await archived(id)).toMatchObject({ state: 'suppressed_by_window', suppression: { start: first.kibana.alert.suppression.start } });
    }
    const windows = await s3.listObjects('suppression/');
    expect(windows).toHaveLength(1);
    expect(JSON.parse((await s3.readObject(windows[0]))!.body).window.suppressedCount).toBe(2);
    expect(stdout.jsonLines().filter((line) => line.SuppressedByWindow === 1)).toHaveLength(2);

    await sleep(2100);
    await expect(lambda.handler(engineerEvent('5e6f0000-0000-4000-8000-00000000c004'), lambdaContext('req-4'))).resolves.toEqual({ alerts: 1, duplicates: 0 });
    expect(sns.publishes).toHaveLength(2);
    const next = JSON.parse(sns.publishes[1].message!);
    expect(JSON.parse(next.default).kibana.alert.suppression).toMatchObject({ docs_count: 2, suppressed_since: first.kibana.alert.suppression.start });
    expect(next.email).toContain(`2 more matches were suppressed since ${first.kibana.alert.suppression.start}`);
  });
  describe('alert suppression meets an archive object or a crash', () => {
    let lambda: HandlerModule;
    beforeAll(() => {
      const suppressing = writeSuppressingRulePack();
      temporary.push(suppressing);
      lambda = handlerWith({ DETECTOR_RULES_PATH: suppressing.path });
    });

    it('a match inside a window whose archive key holds a raw alert of the previous version is published, not suppressed', async () => {
      const opener = '5e6f0000-0000-4000-8000-00000000d001';
      const legacy = '5e6f0000-0000-4000-8000-00000000d002';
      await expect(lambda.handler(engineerEvent(opener), lambdaContext('req-open'))).resolves.toEqual({ alerts: 1, duplicates: 0 });
      // The previous version archived the raw alert before publishing (and may have died before publishing).
      await putArchived(legacy, { '@timestamp': '2026-11-20T03:24:12.000Z', event: { id: legacy, kind: 'signal' } });

      await expect(lambda.handler(engineerEvent(legacy), lambdaContext('req-legacy'))).resolves.toEqual({ alerts: 1, duplicates: 0 });
      expect(sns.publishes).toHaveLength(2);
      expect(JSON.parse(JSON.parse(sns.publishes[1].message!).default).event.id).toBe(legacy);
      expect(await archived(legacy)).toMatchObject({ state: 'published', tookOver: { state: 'unrecognised' } });
      // Unrecognised (nobody is known to have published it): taken over and published, before any window is consulted.
      expect(stdout.jsonLines()).toContainEqual(expect.objectContaining({ message: 'took over the delivery claim', previousState: 'unrecognised' }));
      // Redelivered: a duplicate.
      await expect(lambda.handler(engineerEvent(legacy), lambdaContext('req-legacy-2'))).resolves.toEqual({ alerts: 1, duplicates: 1 });
      expect(sns.publishes).toHaveLength(2);
    });

    it('a redelivery that meets a suppressed_by_window record does not publish it (one classifier for both paths)', async () => {
      const opener = '5e6f0000-0000-4000-8000-00000000d011';
      const later = '5e6f0000-0000-4000-8000-00000000d012';
      await lambda.handler(engineerEvent(opener), lambdaContext('req-open'));
      await expect(lambda.handler(engineerEvent(later), lambdaContext('req-later'))).resolves.toEqual({ alerts: 1, duplicates: 0, suppressed: 1 });
      await sleep(2100);
      // The window has expired: the redelivery still finds the record and leaves it (and the window) alone.
      await expect(lambda.handler(engineerEvent(later), lambdaContext('req-later-2'))).resolves.toEqual({ alerts: 1, duplicates: 1 });
      expect(sns.publishes).toHaveLength(1);
      expect(await archived(later)).toMatchObject({ state: 'suppressed_by_window', requestId: 'req-later' });
    });

    /** The next publish fails (all SDK attempts), and so does the write that would give the claim back. */
    function crashAfterWindowWrite(): void {
      sns.failNext(3);
      s3.failNext(3, { method: 'PUT', condition: 'if-match', keyPrefix: 'alerts/' });
    }

    it('a crash between the window write and the publish: the retry publishes the opening alert exactly once, even after another event opened the next window', async () => {
      const crashed = '5e6f0000-0000-4000-8000-00000000d021';
      const next = '5e6f0000-0000-4000-8000-00000000d022';
      // The claim (taken before the window) and the window write succeed; the publish fails, and so does giving the
      // claim back: the archive keeps the claim awaiting its window, as after a crash right after the window write.
      crashAfterWindowWrite();
      await expect(lambda.handler(engineerEvent(crashed), lambdaContext('req-crash'))).rejects.toMatchObject({ name: 'InternalErrorException' });
      expect(sns.publishes).toHaveLength(0);
      expect(await archived(crashed)).toMatchObject({ state: 'claimed', awaitingWindow: true, requestId: 'req-crash' });
      const [windowKey] = await s3.listObjects('suppression/');
      const firstWindow = JSON.parse((await s3.readObject(windowKey))!.body);
      expect(firstWindow.openedBy).toBe(crashed);

      // Lambda's retries come after the window has expired, and another event of the same group opened a new one.
      await sleep(2100);
      await expect(lambda.handler(engineerEvent(next), lambdaContext('req-next'))).resolves.toEqual({ alerts: 1, duplicates: 0 });
      await expect(lambda.handler(engineerEvent(crashed), lambdaContext('req-crash'))).resolves.toEqual({ alerts: 1, duplicates: 0 });
      await expect(lambda.handler(engineerEvent(crashed), lambdaContext('req-crash-redelivered'))).resolves.toEqual({ alerts: 1, duplicates: 1 });

      const published = sns.publishes.map((publish) => JSON.parse(JSON.parse(publish.message!).default));
      expect(published.map((alert) => alert.event.id).sort()).toEqual([crashed, next].sort());
      const retried = published.find((alert) => alert.event.id === crashed);
      // The alert says what it would have said the first time: the window it opened.
      expect(retried.kibana.alert.suppression).toMatchObject({ start: firstWindow.window.start, end: firstWindow.window.end, docs_count: 0 });
      expect(await archived(crashed)).toMatchObject({ state: 'published', requestId: 'req-crash' });
      // The retried event was not counted as suppressed in the newer window.
      const window = JSON.parse((await s3.readObject(windowKey))!.body);
      expect(window).toMatchObject({ openedBy: next, counted: [], window: { suppressedCount: 0 } });
      expect(stdout.jsonLines().filter((line) => line.SuppressedByWindow === 1)).toHaveLength(0);
    });

    it('a crash between the window write and the publish, retried while the window is open: publishes once', async () => {
      const crashed = '5e6f0000-0000-4000-8000-00000000d031';
      crashAfterWindowWrite();
      await expect(lambda.handler(engineerEvent(crashed), lambdaContext('req-crash'))).rejects.toMatchObject({ name: 'InternalErrorException' });
      await expect(lambda.handler(engineerEvent(crashed), lambdaContext('req-crash'))).resolves.toEqual({ alerts: 1, duplicates: 0 });
      await expect(lambda.handler(engineerEvent(crashed), lambdaContext('req-crash-2'))).resolves.toEqual({ alerts: 1, duplicates: 1 });
      expect(sns.publishes).toHaveLength(1);
    });
  });
});

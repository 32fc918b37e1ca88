import { captureStdout, type CapturedStdout } from '../support/captured-stdout';
import { setEnvironment } from '../support/environment';
import { lambdaContext } from '../support/lambda-context';
import { startConditionalS3, type ConditionalLocalS3 } from '../support/conditional-s3';
import { startSnsRecorder, type SnsRecorder } from '../support/sns-recorder';
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
import { detailOf, eventFixture, loadHandler, localLambdaEnvironment, writeRulePack, type CloudTrailEvent, type HandlerModule } from './handler-harness';

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
  let sns: SnsRecorder;
  let rulePack: { path: string; remove(): void };
  let restoreEnvironment: () => void;
  let stdout: CapturedStdout;
  const temporary: TempFile[] = [];

  beforeAll(async () => {
    [s3, sns] = await Promise.all([startConditionalS3('detector-alert-archive'), startSnsRecorder()]);
    rulePack = writeRulePack();
    restoreEnvironment = setEnvironment(
      localLambdaEnvironment({ snsEndpoint: sns.endpoint, s3Endpoint: s3.endpoint, topicArn: TOPIC_ARN, bucket: s3.bucket, rulesPath: rulePack.path }),
    );
  });

  beforeEach(() => {
    stdout = captureStdout();
  });

  afterEach(async () => {
    stdout.restore();
    sns.reset();
    await s3.deleteAllObjects();
  });

  afterAll(async () => {
    restoreEnvironment?.();
    rulePack?.remove();
    for (const file of temporary) file.remove();
    await Promise.all([s3?.stop(), sns?.stop()]);
  });

  const handlerWith = (overrides: Record<string, string>): HandlerModule => loadHandler(overrides);
  const archived = async (eventId: string) => JSON.parse((await s3.readObject(`alerts/${SEED_RULE_ID}/${eventId}.json`))!.body);

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
      await lambda.handler(event, lambdaContext('req-a'));
      await lambda.handler(structuredClone(event), lambdaContext('req-b'));
      expect(sns.publishes).toHaveLength(0);
      expect(stdout.jsonLines().filter((line) => line.SuppressedByException === 1)).toHaveLength(1);
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
    // A redelivery of a suppressed event is not counted again.
    await lambda.handler(engineerEvent(ids[2]), lambdaContext('req-3b'));
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
});

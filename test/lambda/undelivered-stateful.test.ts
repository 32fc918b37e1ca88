import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { undeliveredAlertRequest } from '../../src/engine/alerts/undelivered-alert-request';
import { STATE_TABLE_KEY } from '../../src/dynamodb/state-table-layout';
import { runCli } from '../cli/cli-harness';
import { lambdaContext } from '../support/lambda-context';
import { setEnvironment } from '../support/environment';
import { startLocalLambda, type LocalLambda } from '../support/local-lambda';
import { ROOT_BRUTE_FORCE_RULE_ID, rootBruteForceRule, rootLoginFailureRecord } from '../support/stateful-fixtures';
import { eventBridgeEvent, useLocalLambdaTestbed, useStatefulLambda, type CloudTrailEvent, type HandlerModule } from './handler-harness';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:cloudtrail-detector-alerts';
const FUNCTION_NAME = 'ctsd-detector';
const BASE = Math.floor(Date.now() / 1000) * 1000 - 10 * 60_000;
const isoAt = (seconds: number): string => new Date(BASE + seconds * 1000).toISOString();

/**
 * The gap this closes, end to end: a threshold alert whose publish failed past Lambda's retries cannot come back from
 * its re-driven event once the group's state is gone; `redrive --undelivered-alerts` finds it in the archive and the
 * function delivers it, exactly once.
 */
describe('an undelivered alert of a threshold rule', () => {
  const testbed = useLocalLambdaTestbed('undelivered-stateful', TOPIC_ARN);
  const stateful = useStatefulLambda(() => [rootBruteForceRule()]);
  let lambda: LocalLambda;
  let restore: () => void;

  beforeAll(async () => {
    lambda = await startLocalLambda();
    restore = setEnvironment({ AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint });
  });
  afterAll(async () => {
    restore();
    await lambda.stop();
  });

  const invoke = (handler: HandlerModule, record: Record<string, unknown>, requestId: string) => handler.handler(eventBridgeEvent(record), lambdaContext(requestId));
  const undelivered = (...extra: string[]) => runCli(['redrive', '--undelivered-alerts', `s3://${testbed.s3.bucket}/alerts/`, '--function', FUNCTION_NAME, ...extra]);

  it('is lost to a re-driven event once the state has expired, and re-delivered exactly once from the archive', async () => {
    const handler = stateful.container();
    for (let i = 1; i <= 9; i++) await expect(invoke(handler, rootLoginFailureRecord(`f${i}`, isoAt(i)), `req-f${i}`)).resolves.toEqual({ alerts: 0, duplicates: 0 });

    // The tenth failure crosses the threshold while SNS (or the topic's KMS key policy) refuses every publish:
    // the first attempt and Lambda's two retries fail, and the event goes to the failure queue.
    testbed.sns.failNext(9, 'InternalError');
    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(invoke(handler, rootLoginFailureRecord('f10', isoAt(10)), 'req-f10')).rejects.toMatchObject({ name: 'InternalErrorException' });
    }
    const [archiveKey] = await testbed.s3.listObjects('alerts/');
    expect(archiveKey).toMatch(new RegExp(`^alerts/${ROOT_BRUTE_FORCE_RULE_ID}/f10/th-[A-Za-z0-9_-]+\\.json$`));
    expect(JSON.parse((await testbed.s3.readObject(archiveKey!))!.body)).toMatchObject({ state: 'publish_failed' });

    // Hours later the cause is fixed; the group's state has expired (15 minutes past the window): gone from the table.
    const table = stateful.tableName();
    for (const item of await stateful.dynamo().scanTable(table)) {
      await stateful.dynamo().client.send(new DeleteItemCommand({ TableName: table, Key: { [STATE_TABLE_KEY]: item[STATE_TABLE_KEY] as { S: string } } }));
    }
    // The loss: the event re-driven from the failure queue raises nothing, and the archive still holds the alert.
    await expect(invoke(handler, rootLoginFailureRecord('f10', isoAt(10)), 'req-redriven')).resolves.toEqual({ alerts: 0, duplicates: 0 });
    expect(testbed.sns.publishes).toHaveLength(0);

    // The re-delivery: the CLI finds it and invokes the function with the request; the function publishes it.
    const run = await undelivered();
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('1 undelivered (1 handed to the function, 0 failed)');
    expect(lambda.invocations).toHaveLength(1);
    const payload = JSON.parse(lambda.invocations[0]!.payload) as CloudTrailEvent;
    await expect(handler.handler(payload, lambdaContext('req-redeliver'))).resolves.toEqual({
      alerts: 1,
      duplicates: 0,
      redelivery: { archiveKey, outcome: 'published' },
    });
    expect(testbed.sns.publishes).toHaveLength(1);
    const alert = JSON.parse(JSON.parse(testbed.sns.publishes[0]!.message!).default);
    expect(alert.kibana.alert.threshold_result).toMatchObject({ count: 10 });

    // Run again (or the same invocation retried by Lambda): nothing found, nothing sent twice.
    const again = await undelivered();
    expect(again.stderr).toContain('0 undelivered');
    await expect(handler.handler(payload, lambdaContext('req-redeliver-2'))).resolves.toMatchObject({ duplicates: 1, redelivery: { outcome: 'duplicate' } });
    expect(testbed.sns.publishes).toHaveLength(1);
  });
});

/**
 * A threshold rule with alert suppression: its claim taken before the window decided (`awaitingWindow`) carries the
 * alert key, so another delivery recognises it as this alert's claim (waits for it while it is live) and the
 * re-delivery of an abandoned one lets the window decide.
 */
describe('an abandoned claim of a threshold rule with alert suppression', () => {
  const testbed = useLocalLambdaTestbed('undelivered-suppressed', TOPIC_ARN);
  const stateful = useStatefulLambda(() => [
    { ...rootBruteForceRule(), alertSuppression: { groupBy: ['cloud.account.id'], duration: { value: 5, unit: 'm' }, missingFieldsStrategy: 'suppress' } },
  ]);
  const invoke = (handler: HandlerModule, record: Record<string, unknown>, requestId: string) => handler.handler(eventBridgeEvent(record), lambdaContext(requestId));

  it('is waited for while live, and re-delivered with the fields of the window it opened once abandoned', async () => {
    const [handler, other] = [stateful.container(), stateful.container()];
    for (let i = 1; i <= 9; i++) await invoke(handler, rootLoginFailureRecord(`f${i}`, isoAt(i)), `req-f${i}`);
    // The window is written, the publish fails and so does giving the claim back: the claim stays, awaiting its window.
    testbed.sns.failNext(3, 'InternalError');
    testbed.s3.failNext(3, { method: 'PUT', condition: 'if-match', keyPrefix: 'alerts/' });
    await expect(invoke(handler, rootLoginFailureRecord('f10', isoAt(10)), 'req-crash')).rejects.toMatchObject({ name: 'InternalErrorException' });
    const [archiveKey] = await testbed.s3.listObjects('alerts/');
    const claim = JSON.parse((await testbed.s3.readObject(archiveKey!))!.body);
    expect(claim).toMatchObject({ state: 'claimed', awaitingWindow: true, requestId: 'req-crash', alertKey: expect.stringMatching(/^th-/) });

    // Another delivery of the event while the claim is live waits for it (it used not to recognise the claim as its own).
    await expect(invoke(other, rootLoginFailureRecord('f10', isoAt(10)), 'req-other')).rejects.toMatchObject({ name: 'AlertDeliveryInProgressError' });
    expect(testbed.sns.publishes).toHaveLength(0);

    // Abandoned (older than the lease): the re-delivery takes it over, the window it opened says "alert".
    await testbed.s3Client.send(
      new PutObjectCommand({ Bucket: testbed.s3.bucket, Key: archiveKey, Body: JSON.stringify({ ...claim, claimedAt: new Date(Date.now() - 600_000).toISOString() }) }),
    );
    await expect(handler.handler(undeliveredAlertRequest(archiveKey!) as unknown as CloudTrailEvent, lambdaContext('req-redeliver'))).resolves.toEqual({
      alerts: 1,
      duplicates: 0,
      redelivery: { archiveKey, outcome: 'published' },
    });
    expect(testbed.sns.publishes).toHaveLength(1);
    const alert = JSON.parse(JSON.parse(testbed.sns.publishes[0]!.message!).default);
    const [windowKey] = await testbed.s3.listObjects('suppression/');
    const window = JSON.parse((await testbed.s3.readObject(windowKey!))!.body);
    expect(window.openedBy).toBe('f10/' + String(claim.alertKey));
    expect(alert.kibana.alert.suppression).toMatchObject({ start: window.window.start, docs_count: 0 });
    expect(JSON.parse((await testbed.s3.readObject(archiveKey!))!.body)).toMatchObject({ state: 'published', tookOver: { state: 'claimed', requestId: 'req-crash' } });
  });
});

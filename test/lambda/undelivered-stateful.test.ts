import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
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

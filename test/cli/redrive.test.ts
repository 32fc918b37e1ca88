import { setEnvironment } from '../support/environment';
import { ACCOUNT, REGION, startExportTaskRecord } from '../support/cloudtrail-records';
import { startLocalLambda, type LocalLambda } from '../support/local-lambda';
import { startLocalSqs, type LocalSqs } from '../support/local-sqs';
import { parseAlerts, runCli } from './cli-harness';

const FUNCTION_NAME = 'ctsd-detector';
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FUNCTION_NAME}`;

/** An EventBridge "AWS API Call via CloudTrail" event, as EventBridge writes it to the target's DLQ. */
function eventBridgeEvent(eventID: string, eventName = 'StartExportTask'): Record<string, unknown> {
  return {
    version: '0',
    id: `envelope-${eventID}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.rds',
    account: ACCOUNT,
    time: '2026-11-20T03:15:42Z',
    region: REGION,
    resources: [],
    detail: startExportTaskRecord({ eventID, eventName }),
  };
}

/** A Lambda on-failure destination record wrapping the event. */
function onFailureRecord(event: Record<string, unknown>): Record<string, unknown> {
  return {
    version: '1.0',
    timestamp: '2026-11-20T03:20:00.000Z',
    requestContext: {
      requestId: 'c1d2e3f4-0000-4000-8000-000000000001',
      functionArn: `${FUNCTION_ARN}:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'Error', errorMessage: 'SNS publish failed' },
  };
}

describe('redrive', () => {
  let sqs: LocalSqs;
  let lambda: LocalLambda;
  let restoreEnvironment: () => void;
  let queueUrl: string;
  let queueNumber = 0;

  beforeAll(async () => {
    [sqs, lambda] = await Promise.all([startLocalSqs(), startLocalLambda()]);
    // The standard SDK settings, pointed at the emulators; no real profile or credentials are read.
    restoreEnvironment = setEnvironment({
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: undefined,
      AWS_PROFILE: undefined,
      AWS_ACCESS_KEY_ID: 'AKIAREDRIVETEST',
      AWS_SECRET_ACCESS_KEY: 'redrive-test-secret',
      AWS_SESSION_TOKEN: undefined,
      AWS_CONFIG_FILE: '/nonexistent/aws-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
      AWS_ENDPOINT_URL: undefined,
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
    });
  });

  afterAll(async () => {
    restoreEnvironment();
    await Promise.all([sqs.stop(), lambda.stop()]);
  });

  beforeEach(() => {
    lambda.reset();
    sqs.failDeletes(undefined);
    queueNumber += 1;
    sqs.createQueue(`ctsd-dlq-${queueNumber}`);
    // A real-looking queue URL: requests must still go to AWS_ENDPOINT_URL_SQS, not to the URL's host.
    queueUrl = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/ctsd-dlq-${queueNumber}`;
  });

  const redrive = (...extra: string[]) => runCli(['redrive', '--queue', queueUrl, '--function', FUNCTION_NAME, ...extra]);

  it('redrives both message shapes asynchronously and deletes them', async () => {
    const direct = eventBridgeEvent('event-direct');
    const wrapped = eventBridgeEvent('event-wrapped', 'StartExportTask');
    const directBody = JSON.stringify(direct);
    const directId = sqs.sendMessage(queueUrl, directBody);
    const wrappedId = sqs.sendMessage(queueUrl, JSON.stringify(onFailureRecord(wrapped)));

    const run = await redrive();

    expect(run.code).toBe(0);
    expect(parseAlerts(run.stdout)).toEqual([
      { messageId: directId, eventId: 'event-direct', eventName: 'StartExportTask', shape: 'eventbridge-event', action: 'redriven' },
      { messageId: wrappedId, eventId: 'event-wrapped', eventName: 'StartExportTask', shape: 'lambda-on-failure-record', action: 'redriven' },
    ]);
    expect(lambda.invocations.map((call) => call.invocationType)).toEqual(['Event', 'Event']);
    expect(lambda.invocations.map((call) => call.functionName)).toEqual([FUNCTION_NAME, FUNCTION_NAME]);
    // The DLQ body is sent as it is; the on-failure record is unwrapped to its requestPayload.
    expect(lambda.invocations[0]?.payload).toBe(directBody);
    expect(JSON.parse(lambda.invocations[1]?.payload ?? '')).toEqual(wrapped);
    expect(sqs.messages(queueUrl)).toEqual([]);
    expect(run.stderr).toContain('redrive: 2 messages from');
    expect(run.stderr).toContain('2 redriven, 0 unrecognized (left in the queue), 0 failed');
  });

  it('accepts a function ARN', async () => {
    sqs.sendMessage(queueUrl, JSON.stringify(eventBridgeEvent('event-arn')));
    const run = await runCli(['redrive', `--queue=${queueUrl}`, `--function=${FUNCTION_ARN}`]);
    expect(run.code).toBe(0);
    expect(lambda.invocations.map((call) => call.functionName)).toEqual([FUNCTION_ARN]);
  });

  it('leaves unrecognized messages in the queue, visible again, and reports why', async () => {
    const goodId = sqs.sendMessage(queueUrl, JSON.stringify(eventBridgeEvent('event-good')));
    const notJsonId = sqs.sendMessage(queueUrl, 'this is not json');
    const otherEvent = { ...eventBridgeEvent('event-sign-in'), 'detail-type': 'EC2 Instance State-change Notification' };
    const otherEventId = sqs.sendMessage(queueUrl, JSON.stringify(otherEvent));
    const otherPayloadId = sqs.sendMessage(queueUrl, JSON.stringify(onFailureRecord({ hello: 'world' } as Record<string, unknown>)));

    const run = await redrive();

    expect(run.code).toBe(0); // every recognized event was redriven
    const lines = parseAlerts(run.stdout);
    expect(lines.map((line) => [line.messageId, line.action])).toEqual([
      [goodId, 'redriven'],
      [notJsonId, 'skipped'],
      [otherEventId, 'skipped'],
      [otherPayloadId, 'skipped'],
    ]);
    expect(lines[1]?.reason).toBe('unrecognized message: body is not JSON');
    expect(lines[2]?.reason).toContain('detail-type "EC2 Instance State-change Notification"');
    expect(lines[2]?.eventId).toBe('event-sign-in');
    expect(lines[3]?.reason).toContain('Lambda on-failure record whose requestPayload has no "detail-type"');
    expect(lambda.invocations).toHaveLength(1);
    const left = sqs.messages(queueUrl);
    expect(left.map((message) => message.messageId)).toEqual([notJsonId, otherEventId, otherPayloadId]);
    expect(left.every((message) => !message.inFlight)).toBe(true);
    expect(run.stderr).toContain('1 redriven, 3 unrecognized (left in the queue), 0 failed');
  });

  it('keeps the message and exits 1 when the invoke is refused', async () => {
    const failingId = sqs.sendMessage(queueUrl, JSON.stringify(eventBridgeEvent('event-fails')));
    const okId = sqs.sendMessage(queueUrl, JSON.stringify(onFailureRecord(eventBridgeEvent('event-ok'))));
    lambda.failWhen((call) => call.payload.includes('event-fails'), {
      status: 404,
      type: 'ResourceNotFoundException',
      message: 'Function not found',
    });

    const run = await redrive();

    expect(run.code).toBe(1);
    const lines = parseAlerts(run.stdout);
    expect(lines[0]).toMatchObject({ messageId: failingId, eventId: 'event-fails', action: 'skipped' });
    expect(lines[0]?.reason).toContain('ResourceNotFoundException');
    expect(lines[1]).toMatchObject({ messageId: okId, eventId: 'event-ok', action: 'redriven' });
    expect(sqs.messages(queueUrl).map((message) => [message.messageId, message.inFlight])).toEqual([[failingId, false]]);
    expect(run.stderr).toContain('1 redriven, 0 unrecognized (left in the queue), 1 failed');
  });

  it('keeps the message when the service fails even after the SDK retries', async () => {
    const id = sqs.sendMessage(queueUrl, JSON.stringify(eventBridgeEvent('event-throttled')));
    lambda.failWhen(() => true); // 500 ServiceException, retried by the SDK

    const run = await redrive();

    expect(run.code).toBe(1);
    expect(parseAlerts(run.stdout)).toEqual([expect.objectContaining({ messageId: id, action: 'skipped' })]);
    expect(lambda.attempts.length).toBeGreaterThan(1);
    expect(sqs.messages(queueUrl)).toHaveLength(1);
  });

  it('exits 1 when a redriven message cannot be deleted', async () => {
    sqs.sendMessage(queueUrl, JSON.stringify(eventBridgeEvent('event-undeletable')));
    sqs.failDeletes('AccessDenied');

    const run = await redrive();

    expect(run.code).toBe(1);
    const [line] = parseAlerts(run.stdout);
    expect(line).toMatchObject({ action: 'redriven', eventId: 'event-undeletable' });
    expect(line?.reason).toContain('could not be deleted');
    expect(sqs.messages(queueUrl)).toHaveLength(1);
  });

  it('--dry-run reports what it would redrive and neither invokes nor deletes', async () => {
    const directId = sqs.sendMessage(queueUrl, JSON.stringify(eventBridgeEvent('event-a')));
    const wrappedId = sqs.sendMessage(queueUrl, JSON.stringify(onFailureRecord(eventBridgeEvent('event-b', 'CopyDBSnapshot'))));
    const junkId = sqs.sendMessage(queueUrl, '[]');
    const operationsBefore = sqs.operations.length;

    const run = await redrive('--dry-run');

    expect(run.code).toBe(0);
    expect(parseAlerts(run.stdout)).toEqual([
      { messageId: directId, eventId: 'event-a', eventName: 'StartExportTask', shape: 'eventbridge-event', action: 'would-redrive' },
      { messageId: wrappedId, eventId: 'event-b', eventName: 'CopyDBSnapshot', shape: 'lambda-on-failure-record', action: 'would-redrive' },
      expect.objectContaining({ messageId: junkId, eventId: null, action: 'skipped', reason: 'unrecognized message: body is not a JSON object' }),
    ]);
    expect(lambda.attempts).toEqual([]);
    expect(sqs.operations.slice(operationsBefore)).not.toContain('DeleteMessage');
    const left = sqs.messages(queueUrl);
    expect(left.map((message) => message.messageId)).toEqual([directId, wrappedId, junkId]);
    expect(left.every((message) => !message.inFlight)).toBe(true);
    expect(run.stderr).toContain('2 would be redriven, 1 unrecognized, nothing invoked or deleted (dry run)');
  });

  it('receives in batches of at most 10 and stops after --max messages', async () => {
    const ids = Array.from({ length: 25 }, (_, index) => sqs.sendMessage(queueUrl, JSON.stringify(eventBridgeEvent(`event-${index}`))));

    const limited = await redrive('--max', '12');
    expect(limited.code).toBe(0);
    expect(parseAlerts(limited.stdout).map((line) => line.messageId)).toEqual(ids.slice(0, 12));
    expect(limited.stderr).toContain('stopped at --max');
    expect(sqs.messages(queueUrl)).toHaveLength(13);

    const rest = await redrive();
    expect(rest.code).toBe(0);
    expect(parseAlerts(rest.stdout).map((line) => line.messageId)).toEqual(ids.slice(12));
    expect(sqs.messages(queueUrl)).toEqual([]);
    expect(lambda.invocations).toHaveLength(25);
  });

  it('exits 0 with an empty queue', async () => {
    const run = await redrive();
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('redrive: 0 messages from');
  });

  it('exits 1 when the queue cannot be read', async () => {
    const run = await runCli(['redrive', '--queue', `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/no-such-queue`, '--function', FUNCTION_NAME]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot receive messages from');
    expect(run.stderr).toContain('QueueDoesNotExist');
  });

  describe('usage errors exit 2 without touching AWS', () => {
    const queue = 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq';
    it.each([
      [['redrive'], 'redrive: needs --queue QUEUE_URL'],
      [['redrive', '--queue', queue], 'redrive: needs --function FUNCTION_NAME_OR_ARN'],
      [['redrive', '--function', FUNCTION_NAME], 'redrive: needs --queue QUEUE_URL'],
      [['redrive', '--queue', 'dlq', '--function', FUNCTION_NAME], '--queue must be a queue URL'],
      [['redrive', '--queue', queue, '--function', FUNCTION_NAME, '--max', '0'], '--max must be a positive whole number'],
      [['redrive', '--queue', queue, '--function', FUNCTION_NAME, '--max', 'ten'], '--max must be a positive whole number'],
      [['redrive', '--queue', queue, '--function', FUNCTION_NAME, '--max'], '--max needs N'],
      [['redrive', '--queue', queue, '--function', '--dry-run'], '--function needs NAME'],
      [['redrive', '--queue', queue, '--function', FUNCTION_NAME, '--dry-run=yes'], '--dry-run takes no value'],
      [['redrive', '--queue', queue, '--queue', queue, '--function', FUNCTION_NAME], '--queue given more than once'],
      [['redrive', '--queue', queue, '--function', FUNCTION_NAME, '--force'], "unknown option '--force'"],
      [['redrive', '--queue', queue, '--function', FUNCTION_NAME, 'extra'], "unexpected argument 'extra'"],
    ])('%j', async (argv, message) => {
      const before = sqs.operations.length;
      const run = await runCli(argv);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(message);
      expect(run.stderr).toContain('Usage: cloudtrail-stream-detector redrive --queue QUEUE_URL --function FUNCTION_NAME_OR_ARN');
      expect(sqs.operations.length).toBe(before);
      expect(lambda.attempts).toEqual([]);
    });

    it('--help describes the command, every option and an example', async () => {
      const run = await runCli(['redrive', '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Usage: cloudtrail-stream-detector redrive --queue QUEUE_URL --function FUNCTION_NAME_OR_ARN [--max N] [--dry-run]');
      for (const option of ['--queue QUEUE_URL', '--function NAME', '--max N', '--dry-run', '-h, --help']) expect(run.stdout).toContain(option);
      expect(run.stdout).toMatch(/Examples:\n  cloudtrail-stream-detector redrive --dry-run /);
    });
  });
});

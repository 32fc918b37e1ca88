import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { setEnvironment } from '../support/environment';
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from '../support/local-s3';
import { startLocalLambda, type LocalLambda } from '../support/local-lambda';
import { runCli } from './cli-harness';
import { localS3Environment } from './s3-trail-fixture';

const FUNCTION_NAME = 'ctsd-detector';
const FORMAT = 'cloudtrail-stream-detector/archived-alert/v1';
const RULE = '119c8877-8613-416d-a98a-96b6664ee73a';
const minutesAgo = (minutes: number): string => new Date(Date.now() - minutes * 60_000).toISOString();

/** An archive object as the delivery protocol writes it (lambda/delivery/deliver-alert.ts). */
function archived(eventId: string, state: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { format: FORMAT, state, ruleId: RULE, eventId, requestId: `req-${eventId}`, claimedAt: minutesAgo(60), alert: { event: { id: eventId } }, ...fields };
}

describe('redrive --undelivered-alerts', () => {
  let s3: LocalS3;
  let lambda: LocalLambda;
  let client: S3Client;
  let restoreEnvironment: () => void;

  beforeAll(async () => {
    [s3, lambda] = await Promise.all([startLocalS3('undelivered-archive'), startLocalLambda()]);
    client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', credentials: LOCAL_S3_CREDENTIALS });
    restoreEnvironment = setEnvironment({
      ...localS3Environment(s3.endpoint),
      AWS_ENDPOINT_URL: undefined,
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined,
      AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
    });
  });

  afterAll(async () => {
    restoreEnvironment();
    client.destroy();
    await Promise.all([s3.stop(), lambda.stop()]);
  });

  beforeEach(() => lambda.reset());
  afterEach(() => s3.deleteAllObjects());

  const put = (key: string, body: unknown) =>
    client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: typeof body === 'string' ? body : JSON.stringify(body), ContentType: 'application/json' }));
  const redrive = (...extra: string[]) => runCli(['redrive', '--undelivered-alerts', `s3://${s3.bucket}/alerts/`, '--function', FUNCTION_NAME, ...extra]);
  const lines = (stdout: string) => stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

  /** One object of every kind the archive holds; only `failed` and `abandoned` were never delivered. */
  async function plantArchive(): Promise<void> {
    await Promise.all([
      put(`alerts/${RULE}/published.json`, archived('published', 'published', { publishedAt: minutesAgo(59), snsMessageId: 'm-1' })),
      put(`alerts/${RULE}/suppressed.json`, { ...archived('suppressed', 'suppressed_by_window'), suppressedAt: minutesAgo(59) }),
      put(`alerts/${RULE}/excepted.json`, { ...archived('excepted', 'suppressed_by_exception'), suppressedAt: minutesAgo(59) }),
      put(`alerts/${RULE}/young-claim.json`, archived('young-claim', 'claimed', { claimedAt: minutesAgo(1) })),
      put(`alerts/${RULE}/abandoned.json`, archived('abandoned', 'claimed', { claimedAt: minutesAgo(30), awaitingWindow: true })),
      put(`alerts/${RULE}/failed/th-0123456789abcdef.json`, archived('failed', 'publish_failed', { alertKey: 'th-0123456789abcdef', failedAt: minutesAgo(20), failure: 'KMS.AccessDeniedException' })),
      put(`alerts/${RULE}/not-json.json`, 'a raw alert of an older version'),
      put(`alerts/${RULE}/other.json`, { hello: 'world' }),
      put(`alerts/${RULE}/notes.txt`, archived('notes', 'publish_failed')),
      put(`suppression/${RULE}/window.json`, archived('outside-prefix', 'publish_failed')),
    ]);
  }

  it('invokes the function once per undelivered alert, with the re-delivery request, and leaves the rest alone', async () => {
    await plantArchive();

    const run = await redrive();

    expect(run.stderr).toContain(
      `redrive: 8 archive objects under s3://${s3.bucket}/alerts/ modified in the last 14 days: 2 undelivered (2 handed to the function, 0 failed); ` +
        '3 delivered or suppressed, 1 claimed less than 15 minutes ago (left alone), 2 not archived alerts',
    );
    expect(run.code).toBe(0);
    expect(lines(run.stdout)).toEqual([
      { archiveKey: `alerts/${RULE}/abandoned.json`, ruleId: RULE, eventId: 'abandoned', state: 'claimed', ageSeconds: expect.any(Number), action: 'invoked' },
      {
        archiveKey: `alerts/${RULE}/failed/th-0123456789abcdef.json`,
        ruleId: RULE,
        eventId: 'failed',
        alertKey: 'th-0123456789abcdef',
        state: 'publish_failed',
        ageSeconds: expect.any(Number),
        action: 'invoked',
      },
    ]);
    const [abandoned, failed] = lines(run.stdout);
    // Age from the claim for a claim, from the failure for a failed publish.
    expect(abandoned?.ageSeconds).toBeGreaterThanOrEqual(30 * 60);
    expect(failed?.ageSeconds).toBeGreaterThanOrEqual(20 * 60);
    expect(failed?.ageSeconds).toBeLessThan(59 * 60);
    expect(lambda.invocations.map((call) => [call.functionName, call.invocationType, JSON.parse(call.payload)])).toEqual([
      [FUNCTION_NAME, 'Event', { source: 'cloudtrail-stream-detector', 'detail-type': 'Undelivered Alert', detail: { archiveKey: `alerts/${RULE}/abandoned.json` } }],
      [FUNCTION_NAME, 'Event', { source: 'cloudtrail-stream-detector', 'detail-type': 'Undelivered Alert', detail: { archiveKey: `alerts/${RULE}/failed/th-0123456789abcdef.json` } }],
    ]);
  });

  it('--dry-run lists them and invokes nothing; --min-age and --max change what is taken', async () => {
    await plantArchive();

    const dry = await redrive('--dry-run');
    expect(dry.code).toBe(0);
    expect(lines(dry.stdout).map((line) => [line.eventId, line.action])).toEqual([
      ['abandoned', 'would-invoke'],
      ['failed', 'would-invoke'],
    ]);
    expect(dry.stderr).toContain('2 undelivered (2 would be re-delivered, nothing invoked (dry run))');
    expect(lambda.attempts).toEqual([]);

    const everyClaim = await redrive('--dry-run', '--min-age', '30s');
    expect(lines(everyClaim.stdout).map((line) => line.eventId)).toEqual(['abandoned', 'failed', 'young-claim']);
    expect(everyClaim.stderr).toContain('0 claimed less than 30 seconds ago (left alone)');

    const first = await redrive('--max', '1');
    expect(first.code).toBe(0);
    expect(lines(first.stdout).map((line) => line.eventId)).toEqual(['abandoned']);
    expect(first.stderr).toContain('; stopped at --max');
    expect(lambda.invocations).toHaveLength(1);
  });

  it('--since leaves out objects modified before it', async () => {
    await plantArchive();
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    const run = await redrive('--since', '1s');

    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('redrive: 0 archive objects under');
    expect(run.stderr).toContain('modified in the last 1 second: 0 undelivered');
    expect(lambda.attempts).toEqual([]);
  });

  it('escapes hostile key names and ids on the terminal, and sends the key itself', async () => {
    const key = `alerts/${RULE}/evil\u202e\u009b\u200b.json`;
    await put(key, archived('evt\u001b]0;owned\u0007', 'publish_failed', { ruleId: 'rule\u001b[2J\r\nredrive: 0 archive objects' }));

    const run = await redrive();

    expect(run.code).toBe(0);
    // Nothing a terminal would act on, and no forged line.
    expect(run.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b\u202e]/);
    expect(run.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b\u202e]/);
    expect(run.stdout).toContain('\\u202e\\u009b\\u200b');
    const [line] = lines(run.stdout);
    expect(line).toMatchObject({ archiveKey: key, eventId: 'evt\u001b]0;owned\u0007', ruleId: 'rule\u001b[2J\r\nredrive: 0 archive objects', action: 'invoked' });
    expect(JSON.parse(lambda.invocations[0]?.payload ?? '')).toMatchObject({ detail: { archiveKey: key } });
  });

  it('a refused invoke is reported and exits 1', async () => {
    await put(`alerts/${RULE}/failed.json`, archived('failed', 'publish_failed'));
    lambda.failWhen(() => true, { status: 404, type: 'ResourceNotFoundException', message: 'Function not found: ctsd-detector' });

    const run = await redrive();

    expect(run.code).toBe(1);
    expect(lines(run.stdout)).toEqual([expect.objectContaining({ eventId: 'failed', action: 'skipped', reason: expect.stringContaining('invoke failed: ResourceNotFoundException') })]);
    expect(run.stderr).toContain('1 undelivered (0 handed to the function, 1 failed)');
  });

  it('a bucket that does not exist: one short message, exit 1', async () => {
    const run = await runCli(['redrive', '--undelivered-alerts', 's3://no-such-archive/alerts/', '--function', FUNCTION_NAME]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("s3://no-such-archive/alerts/: no such bucket 'no-such-archive' (NoSuchBucket)");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('usage errors: both sources, no source, options of the other mode, bad durations', async () => {
    const both = await runCli(['redrive', '--queue', 'https://sqs.us-east-1.amazonaws.com/123456789012/q', '--undelivered-alerts', 's3://archive/alerts/', '--function', 'f']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--queue and --undelivered-alerts cannot be used together');
    const none = await runCli(['redrive', '--function', 'f']);
    expect(none.stderr).toContain('needs --queue QUEUE_URL or --undelivered-alerts s3://BUCKET/PREFIX');
    const since = await runCli(['redrive', '--queue', 'https://sqs.us-east-1.amazonaws.com/123456789012/q', '--function', 'f', '--since', '1d']);
    expect(since.stderr).toContain('--since and --min-age go with --undelivered-alerts');
    const duration = await runCli(['redrive', '--undelivered-alerts', 's3://archive/alerts/', '--function', 'f', '--min-age', '15 minutes']);
    expect(duration.code).toBe(2);
    expect(duration.stderr).toContain("--min-age must be a duration such as 90s, 15m, 12h or 14d, not '15 minutes'");
    const url = await runCli(['redrive', '--undelivered-alerts', 'alerts/', '--function', 'f']);
    expect(url.stderr).toContain("--undelivered-alerts: not an S3 location: 'alerts/'");
  });
});

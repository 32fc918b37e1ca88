import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startConditionalS3, type ConditionalLocalS3 } from './conditional-s3';
import type { PolicyDocument } from './iam-policy';
import { LOCAL_S3_CREDENTIALS } from './local-s3';

describe('conditional-write front before s3rver', () => {
  let s3: ConditionalLocalS3;
  let client: S3Client;
  let rawClient: S3Client;

  const put = (target: S3Client, key: string, body: string, condition: { IfNoneMatch?: string; IfMatch?: string } = {}) =>
    target.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body, ...condition }));
  const read = async (key: string) =>
    (await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))).Body!.transformToString('utf8');

  beforeAll(async () => {
    s3 = await startConditionalS3('conditional-selftest');
    client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', credentials: LOCAL_S3_CREDENTIALS });
    rawClient = new S3Client({ endpoint: s3.s3rverEndpoint, region: 'us-east-1', credentials: LOCAL_S3_CREDENTIALS });
  });
  afterEach(() => s3.deleteAllObjects());
  afterAll(async () => {
    client.destroy();
    rawClient.destroy();
    await s3.stop();
  });

  it('is needed: s3rver 3.7.1 on its own ignores If-None-Match on PUT and overwrites', async () => {
    await put(rawClient, 'k.json', 'first');
    await expect(put(rawClient, 'k.json', 'second', { IfNoneMatch: '*' })).resolves.toBeDefined();
    expect(await read('k.json')).toBe('second');
  });

  it('answers 412 PreconditionFailed, through the real SDK, to If-None-Match: * on an existing key', async () => {
    await expect(put(client, 'k.json', 'first', { IfNoneMatch: '*' })).resolves.toMatchObject({ ETag: expect.any(String) });

    const error = await put(client, 'k.json', 'second', { IfNoneMatch: '*' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    expect(await read('k.json')).toBe('first');
  });

  it('replaces an object on If-Match with its current ETag only', async () => {
    const { ETag } = await put(client, 'k.json', 'v1', { IfNoneMatch: '*' });
    const v2 = await put(client, 'k.json', 'v2', { IfMatch: ETag });
    expect(await read('k.json')).toBe('v2');

    await expect(put(client, 'k.json', 'stale', { IfMatch: ETag })).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    await expect(put(client, 'k.json', 'v3', { IfMatch: v2.ETag })).resolves.toBeDefined();
    expect(await read('k.json')).toBe('v3');
    await expect(put(client, 'missing.json', 'x', { IfMatch: ETag })).rejects.toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
  });

  it('lets exactly one of many concurrent If-None-Match: * puts win', async () => {
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, index) => put(client, 'race.json', `writer ${index}`, { IfNoneMatch: '*' })));
    const winners = results.filter((result) => result.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toMatchObject({ name: 'PreconditionFailed' });
    }
  });

  it('lets exactly one of several concurrent If-Match puts on the same ETag win', async () => {
    const { ETag } = await put(client, 'k.json', 'v1', { IfNoneMatch: '*' });
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, index) => put(client, 'k.json', `taker ${index}`, { IfMatch: ETag })));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  });

  it('injects 409 ConditionalRequestConflict and 500 InternalError on request', async () => {
    s3.conflictNext(1, { method: 'PUT' });
    await expect(put(client, 'k.json', 'x', { IfNoneMatch: '*' })).rejects.toMatchObject({ name: 'ConditionalRequestConflict', $metadata: { httpStatusCode: 409 } });
    s3.failNext(3, { method: 'PUT' });
    await expect(put(client, 'k.json', 'x')).rejects.toMatchObject({ name: 'InternalError' });
    expect(s3.requests.map((request) => request.status)).toEqual([409, 500, 500, 500]);
    await expect(put(client, 'k.json', 'x')).resolves.toBeDefined();
  });
});

describe('the front answers a read of a missing key as S3 answers the caller (issue 10, case 1)', () => {
  const BUCKET = 'list-permission-test';
  const bucketArn = `arn:aws:s3:::${BUCKET}`;
  const getObjects: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `${bucketArn}/alerts/*` }] };
  const cases: [string, PolicyDocument[], number][] = [
    ['object permissions only (the detector role)', [getObjects], 403],
    ['s3:ListBucket on the bucket', [getObjects, { Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn }] }], 404],
    ['s3:List* on every bucket', [getObjects, { Statement: [{ Effect: 'Allow', Action: ['s3:List*'], Resource: '*' }] }], 404],
    ['s3:ListBucket on another bucket', [getObjects, { Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::other' }] }], 403],
    [
      's3:ListBucket only under an s3:prefix condition (a GET carries no s3:prefix)',
      [getObjects, { Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn, Condition: { StringLike: { 's3:prefix': ['alerts/*'] } } }] }],
      403,
    ],
    [
      's3:ListBucket under StringLikeIfExists on s3:prefix',
      [getObjects, { Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn, Condition: { StringLikeIfExists: { 's3:prefix': ['alerts/*'] } } }] }],
      404,
    ],
    [
      's3:ListBucket allowed and denied',
      [getObjects, { Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn }, { Effect: 'Deny', Action: 's3:*', Resource: bucketArn }] }],
      403,
    ],
  ];

  it.each(cases.map(([name, callerPolicies, status]) => ({ name, callerPolicies, status })))('with $name: GET and HEAD answer $status', async ({ callerPolicies, status }) => {
    const front = await startConditionalS3(BUCKET, { callerPolicies });
    const reader = new S3Client({ endpoint: front.endpoint, region: 'us-east-1', credentials: LOCAL_S3_CREDENTIALS });
    try {
      await expect(reader.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'alerts/missing.json' }))).rejects.toMatchObject({
        name: status === 403 ? 'AccessDenied' : 'NoSuchKey',
        $metadata: { httpStatusCode: status },
      });
      await expect(reader.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'alerts/missing.json' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: status } });
      // An object that is there is read whatever the list permission.
      await reader.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'alerts/present.json', Body: '{}' }));
      await expect(reader.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'alerts/present.json' }))).resolves.toBeDefined();
    } finally {
      reader.destroy();
      await front.stop();
    }
  });
});

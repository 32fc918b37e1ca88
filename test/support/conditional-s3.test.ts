import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startConditionalS3, type ConditionalLocalS3 } from './conditional-s3';
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

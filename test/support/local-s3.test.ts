import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from './local-s3';

describe('local S3', () => {
  let s3: LocalS3;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startLocalS3('local-s3-selftest');
    // No forcePathStyle: an IP-literal endpoint is enough for the SDK to address the bucket path-style.
    client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', credentials: LOCAL_S3_CREDENTIALS });
  });
  afterAll(async () => {
    client.destroy();
    await s3.stop();
  });

  it('listens on 127.0.0.1 and stores what the SDK puts', async () => {
    expect(s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: 'a/b.json', Body: '{"ok":true}', ContentType: 'application/json' }),
    );

    expect(await s3.listObjects()).toEqual(['a/b.json']);
    expect(await s3.listObjects('x/')).toEqual([]);
    expect(await s3.readObject('a/b.json')).toEqual({ body: '{"ok":true}', contentType: 'application/json' });
    expect(await s3.readObject('a/missing.json')).toBeUndefined();

    await s3.deleteAllObjects();
    expect(await s3.listObjects()).toEqual([]);
  });
});

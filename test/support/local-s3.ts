import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

/**
 * s3rver only accepts SigV4 requests signed with this key pair (its built-in dummy account);
 * any other access key is answered with InvalidAccessKeyId.
 */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface StoredObject {
  readonly body: string;
  readonly contentType: string | undefined;
}

export interface LocalS3 {
  /** `http://127.0.0.1:<port>`: an IP-literal endpoint, so the SDK addresses buckets path-style by itself. */
  readonly endpoint: string;
  readonly bucket: string;
  listObjects(prefix?: string): Promise<string[]>;
  /** The object's text, or `undefined` when there is no object at that key. */
  readObject(key: string): Promise<StoredObject | undefined>;
  /** Empties the bucket, so each test starts from nothing. */
  deleteAllObjects(): Promise<void>;
  stop(): Promise<void>;
}

// s3rver ships no type declarations; this is the part of its API the tests use.
interface S3rverOptions {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
}
interface S3rverInstance {
  readonly httpServer?: Server;
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: S3rverOptions) => S3rverInstance;

/** Starts an S3-protocol server on 127.0.0.1 (ephemeral port, throwaway directory) with one empty bucket. */
export async function startLocalS3(bucket = 'alert-archive-test'): Promise<LocalS3> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const S3rver = require('s3rver') as S3rverConstructor;
  const directory = await mkdtemp(path.join(tmpdir(), 'local-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', credentials: LOCAL_S3_CREDENTIALS });

  async function listObjects(prefix?: string): Promise<string[]> {
    const keys: string[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: continuationToken }),
      );
      keys.push(...(page.Contents ?? []).flatMap((object) => (object.Key === undefined ? [] : [object.Key])));
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
    return keys.sort();
  }

  return {
    endpoint,
    bucket,
    listObjects,
    async readObject(key) {
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return { body: (await object.Body?.transformToString('utf8')) ?? '', contentType: object.ContentType };
      } catch (error) {
        if (error instanceof Error && error.name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    async deleteAllObjects() {
      for (const key of await listObjects()) {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      }
    },
    async stop() {
      client.destroy();
      // Keep-alive sockets (the handler's S3 client keeps its own) would otherwise hold close() open.
      server.httpServer?.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

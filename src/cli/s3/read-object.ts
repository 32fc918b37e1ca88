import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/**
 * Reads one object into memory, inflating gzip while the bytes arrive (recognised by its magic bytes, not the name).
 * CloudTrail log objects are small (a few MB at most), so a worker holds one object at a time, never the archive.
 * `onBytes` is told how many bytes came over the network, for progress. An aborted `signal` stops the transfer.
 */
export async function readObject(
  client: S3Client,
  bucket: string,
  key: string,
  options: { readonly signal?: AbortSignal; readonly onBytes?: (count: number) => void } = {},
): Promise<Buffer> {
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: options.signal });
  const body = response.Body as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
  if (body === undefined) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of inflateIfGzip(counted(body, options))) chunks.push(chunk);
  } finally {
    body.destroy?.(); // no-op once fully read; frees the socket after an abort or a gzip error
  }
  return Buffer.concat(chunks);
}

async function* counted(
  body: AsyncIterable<Uint8Array>,
  options: { readonly signal?: AbortSignal; readonly onBytes?: (count: number) => void },
): AsyncGenerator<Buffer> {
  for await (const chunk of body) {
    if (options.signal?.aborted) throw Object.assign(new Error('the read was aborted'), { name: 'AbortError' });
    options.onBytes?.(chunk.length);
    yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}

/** Passes the bytes through, or through gunzip when they start with gzip's magic number. */
export async function* inflateIfGzip(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  let exhausted = false;
  while (head.length < 2) {
    const next = await iterator.next();
    if (next.done) {
      exhausted = true;
      break;
    }
    head = Buffer.concat([head, next.value]);
  }
  async function* all(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (exhausted) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  if (!(head[0] === 0x1f && head[1] === 0x8b)) {
    yield* all();
    return;
  }
  const gunzip = createGunzip();
  const feeding = pipeline(all(), gunzip);
  feeding.catch(() => undefined); // the same error surfaces from reading gunzip below
  for await (const chunk of gunzip) yield chunk as Buffer;
  await feeding;
}

import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** An object larger than this many bytes as stored; its transfer was stopped there. */
export class ObjectTooLargeError extends Error {
  override readonly name = 'ObjectTooLargeError';
  constructor(readonly size: number) {
    super(`object of ${size} bytes or more`);
  }
}

/**
 * Reads one object into memory as stored (gzip stays gzip: the scan inflates each object once, within its limit,
 * in prepareContent). CloudTrail log objects are small (a few MB at most), so a worker holds one object at a time,
 * never the archive. More than `maxRawBytes` stops the transfer with ObjectTooLargeError. `onBytes` is told how many
 * bytes came over the network, for progress. An aborted `signal` stops the transfer.
 */
export async function readObject(
  client: S3Client,
  bucket: string,
  key: string,
  options: { readonly signal?: AbortSignal; readonly onBytes?: (count: number) => void; readonly maxRawBytes?: number } = {},
): Promise<Buffer> {
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: options.signal });
  const body = response.Body as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
  if (body === undefined) return Buffer.alloc(0);
  if (options.maxRawBytes !== undefined && (response.ContentLength ?? 0) > options.maxRawBytes) {
    body.destroy?.();
    throw new ObjectTooLargeError(response.ContentLength ?? 0);
  }
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of body) {
      if (options.signal?.aborted) throw Object.assign(new Error('the read was aborted'), { name: 'AbortError' });
      options.onBytes?.(chunk.length);
      length += chunk.length;
      if (options.maxRawBytes !== undefined && length > options.maxRawBytes) throw new ObjectTooLargeError(length);
      chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    }
  } finally {
    body.destroy?.(); // no-op once fully read; frees the socket after an abort or a stopped transfer
  }
  return Buffer.concat(chunks, length);
}

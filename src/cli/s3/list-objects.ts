import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

/** One listed object. */
export interface ListedObject {
  readonly key: string;
  readonly size: number;
  /** When the object was last written, as the listing says (absent if S3 did not say). */
  readonly lastModified?: Date;
}

export interface ListCounters {
  /** ListObjectsV2 requests sent (pages, with or without delimiter). */
  listRequests: number;
}

/** Every object under a prefix, in key order, page by page (lazy: the next page is requested when needed). */
export async function* listObjects(
  client: S3Client,
  bucket: string,
  prefix: string,
  counters: ListCounters,
  signal?: AbortSignal,
): AsyncGenerator<ListedObject> {
  let continuationToken: string | undefined;
  do {
    counters.listRequests += 1;
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: continuationToken }), { abortSignal: signal });
    for (const object of page.Contents ?? []) {
      if (object.Key !== undefined && !object.Key.endsWith('/')) yield { key: object.Key, size: object.Size ?? 0, ...(object.LastModified ? { lastModified: object.LastModified } : {}) };
    }
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken !== undefined);
}

/** The sub-folders of a prefix (Delimiter '/'), as full prefixes in key order. */
export async function* listFolders(
  client: S3Client,
  bucket: string,
  prefix: string,
  counters: ListCounters,
  signal?: AbortSignal,
): AsyncGenerator<string> {
  let continuationToken: string | undefined;
  do {
    counters.listRequests += 1;
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: continuationToken }),
      { abortSignal: signal },
    );
    for (const common of page.CommonPrefixes ?? []) if (common.Prefix !== undefined) yield common.Prefix;
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken !== undefined);
}

import type { S3Client } from '@aws-sdk/client-s3';
import type { InputEntry } from '../input-entry';
import { mapOrdered } from '../ordered-pool';
import type { S3Tally } from '../summary';
import { keyMatchesFilters, planListPrefixes, skippedKeyKind, type KeyFilters } from './cloudtrail-key-layout';
import { listFolders, listObjects } from './list-objects';
import { rawSizeLimit, tooLargeMessage } from '../input-entry';
import { ObjectTooLargeError, readObject } from './read-object';
import { describeS3Error, isAbortError } from './s3-errors';
import { formatS3Url, type S3Location } from './s3-url';

export interface S3ScanContext {
  readonly client: S3Client;
  readonly filters: KeyFilters;
  /** Objects read at once. */
  readonly concurrency: number;
  readonly signal: AbortSignal;
  /** `YYYY-MM-DD`, the end of an open --since range. */
  readonly today: string;
  readonly tally: S3Tally;
  /** Per-object limit on inflated bytes; the transfer stops beyond rawSizeLimit(maxBytes). */
  readonly maxBytes: number;
  /** The client's region, named when a bucket lives elsewhere. */
  readonly region?: string;
  /** Called with the number of objects to fetch from this location once its listing is complete. */
  onListed?(objectsToFetch: number): void;
}

type Listed = { readonly key: string; readonly skip?: 'digest' | 'insight' };

/**
 * The objects of one s3:// location as input entries, in listing (key) order, while up to `concurrency` objects are
 * read in parallel. Listing is pruned by the key layout (see planListPrefixes). A listing failure ends the location
 * with one error naming bucket and prefix; a failed read is reported for its object and the others go on.
 */
export async function* s3Entries(location: S3Location, context: S3ScanContext): AsyncGenerator<InputEntry> {
  const { client, filters, signal, tally } = context;
  const { bucket } = location;
  let listing = location.prefix;
  let toFetch = 0;
  async function* keys(): AsyncGenerator<Listed> {
    const folders = (prefix: string): AsyncIterable<string> => {
      listing = prefix;
      return listFolders(client, bucket, prefix, tally, signal);
    };
    for await (const prefix of planListPrefixes(location.prefix, filters, folders, context.today)) {
      listing = prefix;
      for await (const object of listObjects(client, bucket, prefix, tally, signal)) {
        tally.objectsListed += 1;
        const skip = skippedKeyKind(object.key);
        if (skip !== undefined) yield { key: object.key, skip };
        else if (keyMatchesFilters(object.key, filters)) {
          toFetch += 1;
          yield { key: object.key };
        }
      }
    }
    context.onListed?.(toFetch);
  }

  const read = async (listed: Listed): Promise<InputEntry> => {
    const displayPath = formatS3Url(bucket, listed.key);
    if (listed.skip !== undefined) return { kind: 'skipped-data', displayPath, reason: listed.skip };
    if (signal.aborted) return { kind: 'aborted', displayPath };
    try {
      const content = await readObject(client, bucket, listed.key, { signal, onBytes: (count) => (tally.bytes += count), maxRawBytes: rawSizeLimit(context.maxBytes) });
      tally.objectsFetched += 1;
      return { kind: 'content', displayPath, content };
    } catch (error) {
      if (signal.aborted || isAbortError(error)) return { kind: 'aborted', displayPath };
      if (error instanceof ObjectTooLargeError) return { kind: 'error', displayPath, message: tooLargeMessage(error.size, context.maxBytes) };
      return { kind: 'error', displayPath, message: describeS3Error(error, bucket, listed.key, 'get', context.region), located: true };
    }
  };

  try {
    yield* mapOrdered(keys(), context.concurrency, read);
  } catch (error) {
    if (signal.aborted || isAbortError(error)) return;
    yield { kind: 'error', displayPath: formatS3Url(bucket, listing), message: describeS3Error(error, bucket, listing, 'list', context.region), located: true };
  }
}

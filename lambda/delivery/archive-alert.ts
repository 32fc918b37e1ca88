import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AlertDocument } from '../../src/engine/alerts/alert-types';

export interface AlertArchive {
  readonly client: S3Client;
  readonly bucket: string;
  /** Empty or ending in `/`. */
  readonly prefix: string;
}

/** Marks the archive objects written by this version of the delivery protocol (docs/delivery.md). */
export const ARCHIVE_FORMAT = 'cloudtrail-stream-detector/archived-alert/v1';

/**
 * - `claimed`: an invocation is publishing (or crashed while publishing) this alert.
 * - `publish_failed`: the publish failed and the invocation gave the claim back; anyone may take it over at once.
 * - `published`: SNS accepted the alert; every later delivery of the same event is a duplicate.
 */
export type DeliveryState = 'claimed' | 'publish_failed' | 'published';

/** The JSON stored at `alertArchiveKey(...)`: delivery bookkeeping plus the full (untruncated) alert document. */
export interface ArchivedAlert {
  readonly format: typeof ARCHIVE_FORMAT;
  readonly state: DeliveryState;
  readonly ruleId: string;
  readonly eventId: string;
  /** The Lambda request id of the invocation that holds (or last held) the claim. */
  readonly requestId: string;
  /** ISO 8601; when that invocation claimed the alert. The lease runs from here. */
  readonly claimedAt: string;
  readonly publishedAt?: string;
  readonly snsMessageId?: string;
  readonly failedAt?: string;
  readonly failure?: string;
  /** The claim this one replaced (stale lease, failed publish, own earlier attempt, or an object of unknown format). */
  readonly tookOver?: { readonly state: string; readonly requestId?: string; readonly claimedAt?: string };
  readonly alert: AlertDocument;
}

/**
 * `<prefix><rule id>/<event id>.json`: deterministic, so every delivery of the same CloudTrail event
 * for the same rule meets at the same key, which is what makes the conditional writes a lock.
 */
export function alertArchiveKey(prefix: string, ruleId: string, eventId: string): string {
  return `${prefix}${safeKeySegment(ruleId)}/${safeKeySegment(eventId)}.json`;
}

/** How a conditional write went. `conflict`: the precondition failed (someone else wrote first). */
export type ConditionalPutResult = { readonly written: true; readonly etag: string } | { readonly written: false; readonly reason: string };

/**
 * Puts the object only if the condition holds: `{ ifNoneMatch: '*' }` creates it only if no object is at the key,
 * `{ ifMatch: etag }` replaces it only if it is still the version we read. S3 evaluates the condition atomically
 * with the write. A failed condition (412 PreconditionFailed), a concurrent conditional write (409
 * ConditionalRequestConflict) and an `ifMatch` on a vanished object (404 NoSuchKey) come back as
 * `{ written: false }`; every other error (after the SDK's own retries) is thrown.
 */
export async function conditionalPut(
  archive: AlertArchive,
  key: string,
  document: ArchivedAlert | object,
  condition: { readonly ifNoneMatch: '*' } | { readonly ifMatch: string },
): Promise<ConditionalPutResult> {
  try {
    const output = await archive.client.send(
      new PutObjectCommand({
        Bucket: archive.bucket,
        Key: key,
        Body: JSON.stringify(document),
        ContentType: 'application/json',
        ...('ifNoneMatch' in condition ? { IfNoneMatch: condition.ifNoneMatch } : { IfMatch: condition.ifMatch }),
      }),
    );
    if (output.ETag === undefined) throw new Error(`S3 answered the put of ${key} without an ETag`);
    return { written: true, etag: output.ETag };
  } catch (error) {
    const reason = conditionFailure(error);
    if (reason !== undefined) return { written: false, reason };
    throw error;
  }
}

export interface StoredArchiveObject {
  readonly etag: string;
  /** The parsed object when it is one of ours; `undefined` for anything else (legacy raw alert, garbage). */
  readonly archived: ArchivedAlert | undefined;
  /** For logs, when `archived` is undefined. */
  readonly unrecognised?: string;
}

/** Reads the object at `key`; `undefined` when there is none. */
export async function readArchiveObject(archive: AlertArchive, key: string): Promise<StoredArchiveObject | undefined> {
  let output;
  try {
    output = await archive.client.send(new GetObjectCommand({ Bucket: archive.bucket, Key: key }));
  } catch (error) {
    if (error instanceof Error && error.name === 'NoSuchKey') return undefined;
    throw error;
  }
  const etag = output.ETag;
  if (etag === undefined) throw new Error(`S3 answered the get of ${key} without an ETag`);
  const text = (await output.Body?.transformToString('utf8')) ?? '';
  try {
    const parsed = JSON.parse(text) as Partial<ArchivedAlert> | null;
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      parsed.format === ARCHIVE_FORMAT &&
      (parsed.state === 'claimed' || parsed.state === 'publish_failed' || parsed.state === 'published') &&
      typeof parsed.requestId === 'string' &&
      typeof parsed.claimedAt === 'string'
    ) {
      return { etag, archived: parsed as ArchivedAlert };
    }
    return { etag, archived: undefined, unrecognised: 'JSON that is not an archived alert of this format' };
  } catch {
    return { etag, archived: undefined, unrecognised: 'not JSON' };
  }
}

/** Reads any JSON object at `key` (suppression records and windows); `undefined` when there is none. */
export async function readJsonObject(archive: AlertArchive, key: string): Promise<{ readonly etag: string; readonly json: unknown } | undefined> {
  let output;
  try {
    output = await archive.client.send(new GetObjectCommand({ Bucket: archive.bucket, Key: key }));
  } catch (error) {
    if (error instanceof Error && error.name === 'NoSuchKey') return undefined;
    throw error;
  }
  if (output.ETag === undefined) throw new Error(`S3 answered the get of ${key} without an ETag`);
  const text = (await output.Body?.transformToString('utf8')) ?? '';
  try {
    return { etag: output.ETag, json: JSON.parse(text) as unknown };
  } catch {
    return { etag: output.ETag, json: undefined };
  }
}

function conditionFailure(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (error.name === 'PreconditionFailed' || status === 412) return 'PreconditionFailed';
  if (error.name === 'ConditionalRequestConflict' || status === 409) return 'ConditionalRequestConflict';
  if (error.name === 'NoSuchKey') return 'NoSuchKey';
  return undefined;
}

const MAX_SEGMENT_CHARACTERS = 200;

/**
 * Ids come from the CloudTrail record and the rule file, i.e. from outside: keep keys to characters
 * S3 and every S3 tool handle literally, and never let an id add a folder level or a `..` segment.
 * An id that had to be changed (or cut: S3 keys end at 1,024 bytes) gets a hash of the original appended, so two
 * different ids never share a key: a shared key would make the second event's alert look like a duplicate.
 */
export function safeKeySegment(id: string): string {
  let safe = id.replace(/[^A-Za-z0-9._-]/g, '_');
  if (safe === '') safe = '_';
  if (/^\.+$/.test(safe)) safe = safe.replace(/\./g, '_');
  if (safe === id && id.length <= MAX_SEGMENT_CHARACTERS) return safe;
  const hash = createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 16);
  return `${safe.slice(0, MAX_SEGMENT_CHARACTERS)}--${hash}`;
}

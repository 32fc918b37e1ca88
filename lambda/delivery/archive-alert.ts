import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AlertDocument } from '../../src/engine/alerts/alert-types';
import { sequenceEventIds } from '../../src/engine/alerts/sequence-ids';

export interface AlertArchive {
  readonly client: S3Client;
  readonly bucket: string;
  /** Empty or ending in `/`. */
  readonly prefix: string;
}

// The object format and its classifier are pure (src/engine/alerts/archived-alert.ts), shared with the CLI.
export {
  ARCHIVE_FORMAT,
  classifyArchiveObject,
  type ArchivedAlert,
  type ClassifiedArchiveObject,
  type DeliveryState,
  type StoredJsonObject,
  type SuppressedMatch,
  type SuppressedState,
} from '../../src/engine/alerts/archived-alert';
import type { ArchivedAlert, StoredJsonObject } from '../../src/engine/alerts/archived-alert';

/**
 * `<prefix><rule id>/<event id>.json`: deterministic, so every delivery of the same CloudTrail event
 * for the same rule meets at the same key, which is what makes the conditional writes a lock. A new_terms or threshold
 * rule can raise several alerts on one event (one per term or group): `<prefix><rule id>/<event id>/<alert key>.json`.
 */
export function alertArchiveKey(prefix: string, ruleId: string, eventId: string, alertKey = ''): string {
  const alert = alertKey === '' ? '' : `/${safeKeySegment(alertKey)}`;
  return `${prefix}${safeKeySegment(ruleId)}/${safeKeySegment(eventId)}${alert}.json`;
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

/**
 * Reads the JSON object at `key` (archive objects and suppression windows). Call it only after S3 said the key exists
 * (a 412 on `If-None-Match: *`): the role has no s3:ListBucket, so S3 answers a read of a missing key with 403
 * AccessDenied, which is thrown (docs/delivery.md, "Never read a missing key"). `undefined` for NoSuchKey, which S3
 * gives only to callers that may list the bucket (and local test servers).
 */
export async function readJsonObject(archive: AlertArchive, key: string): Promise<StoredJsonObject | undefined> {
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
    return { etag: output.ETag, json: JSON.parse(text) as unknown, isJson: true };
  } catch {
    return { etag: output.ETag, json: undefined, isJson: false };
  }
}

/** The CloudTrail event id the alert was raised for (`event.id`): names the archived object. */
export function alertEventId(alert: AlertDocument, ruleId: string): string {
  const event = alert.event;
  const id = typeof event === 'object' && event !== null ? ((event as { id?: unknown }).id ?? sequenceEventId(alert)) : sequenceEventId(alert);
  if (typeof id !== 'string' || id === '') {
    // Without it the archive key is not deterministic and duplicates could not be recognised.
    throw new Error(`Alert of rule ${ruleId} has no event.id: cannot archive it under a stable key`);
  }
  return id;
}

/**
 * An EQL sequence's shell alert has no `event.id` of its own: it is archived under its last event, which with its
 * alert key (a digest of all its events) names the sequence however it was found.
 */
function sequenceEventId(alert: AlertDocument): string | undefined {
  return sequenceEventIds(alert).at(-1);
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

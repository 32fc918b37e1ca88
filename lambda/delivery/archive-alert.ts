import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AlertDocument } from '../../src/engine/alerts/alert-types';

export interface AlertArchive {
  readonly client: S3Client;
  readonly bucket: string;
  /** Empty or ending in `/`. */
  readonly prefix: string;
}

/**
 * `<prefix><rule id>/<event id>.json`: deterministic, so a retried invocation overwrites the object
 * it wrote before instead of adding a second copy of the same alert.
 */
export function alertArchiveKey(prefix: string, ruleId: string, eventId: string): string {
  return `${prefix}${safeKeySegment(ruleId)}/${safeKeySegment(eventId)}.json`;
}

/** Writes the alert JSON to the archive bucket (encrypted by the bucket's default SSE) and returns its key. */
export async function archiveAlert(
  archive: AlertArchive,
  alert: AlertDocument,
  ruleId: string,
  eventId: string,
): Promise<string> {
  const key = alertArchiveKey(archive.prefix, ruleId, eventId);
  await archive.client.send(
    new PutObjectCommand({
      Bucket: archive.bucket,
      Key: key,
      Body: JSON.stringify(alert),
      ContentType: 'application/json',
    }),
  );
  return key;
}

/**
 * Ids come from the CloudTrail record and the rule file, i.e. from outside: keep keys to characters
 * S3 and every S3 tool handle literally, and never let an id add a folder level or a `..` segment.
 */
function safeKeySegment(id: string): string {
  const safe = id.replace(/[^A-Za-z0-9._-]/g, '_');
  if (safe === '') return '_';
  if (/^\.+$/.test(safe)) return safe.replace(/\./g, '_');
  return safe;
}

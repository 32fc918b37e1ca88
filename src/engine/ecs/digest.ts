import { DocumentBuilder } from './document-builder';
import { parseIso8601 } from './iso8601-date';
import { asKeyword, JsonObject } from './json-values';

/** Digest member → `aws.cloudtrail.flattened.digest.*` name. Naming beyond the reference follows Elastic's field list. */
const DIGEST_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ['digestStartTime', 'start_time'],
  ['digestEndTime', 'end_time'],
  ['digestS3Bucket', 's3_bucket'],
  ['newestEventTime', 'newest_event_time'],
  ['oldestEventTime', 'oldest_event_time'],
  ['previousDigestS3Bucket', 'previous_s3_bucket'],
  ['previousDigestS3Object', 'previous_s3_object'],
  ['previousDigestHashValue', 'previous_hash_value'],
  ['previousDigestHashAlgorithm', 'previous_hash_algorithm'],
  ['previousDigestSignature', 'previous_signature'],
  ['digestSignatureAlgorithm', 'signature_algorithm'],
];

/**
 * CloudTrail digest files (one object per S3 file, no eventTime/eventName). Nothing is verified:
 * like the pipeline, this only maps fields; `digestEndTime` becomes the event time.
 */
export function mapDigest(json: JsonObject, doc: DocumentBuilder): void {
  const digest = 'aws.cloudtrail.flattened.digest';
  for (const [memberName, fieldName] of DIGEST_FIELDS) doc.set(`${digest}.${fieldName}`, asKeyword(json[memberName]));
  doc.set(`${digest}.public_key_fingerprint`, asKeyword(json.digestPublicKeyFingerprint ?? json.publicKeyFingerprint));
  if (Array.isArray(json.logFiles)) doc.set(`${digest}.log_files`, json.logFiles);
  doc.set('file.path', asKeyword(json.digestS3Object));
  const previousHash = asKeyword(json.previousDigestHashValue);
  if (previousHash !== undefined) doc.set('related.hash', [previousHash]);
  const endTime = asKeyword(json.digestEndTime);
  const timestamp = endTime === undefined ? undefined : parseIso8601(endTime);
  if (timestamp !== undefined) doc.set('@timestamp', timestamp);
}

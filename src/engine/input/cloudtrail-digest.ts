/**
 * CloudTrail digest files (hourly hash chains for log-file integrity validation) sit next to the logs, under
 * `AWSLogs/<account>/CloudTrail-Digest/`, and hold no events. They are recognised so a scan of a whole trail bucket
 * skips them instead of reporting them as malformed.
 */

/** Keys only a digest has (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html). */
const DIGEST_KEYS = [
  'digestStartTime',
  'digestEndTime',
  'digestS3Bucket',
  'digestS3Object',
  'digestSignatureAlgorithm',
  'digestPublicKeyFingerprint',
  'previousDigestS3Object',
] as const;

export function isCloudTrailDigest(value: object): boolean {
  if (DIGEST_KEYS.some((key) => key in value)) return true;
  // A digest's other marker; a record never has `logFiles`, but an event name would make it a record after all.
  return Array.isArray((value as { logFiles?: unknown }).logFiles) && !('eventName' in value);
}

/** Same idea as Elastic's `cloudtrail_digest_regex` (`/CloudTrail-Digest/`), plus the digest's own file-name part. */
export function isCloudTrailDigestPath(name: string): boolean {
  return /(^|[\\/])CloudTrail-Digest[\\/]/.test(name) || /_CloudTrail-Digest_[^\\/]*$/.test(name);
}

import { createHash } from 'node:crypto';

/** Namespace of this project's name-based (version 5) UUIDs; any fixed value works, it must never change. */
const ALERT_NAMESPACE = Buffer.from('5b0f2c7e9a3d4e61b8a2c4d6e8f01a3c', 'hex');

/**
 * `kibana.alert.uuid`: the same rule and the same CloudTrail event always give the same id, so a redelivered or
 * re-scanned event maps onto the alert already raised, as Elastic's deterministic alert ids do.
 */
export function alertUuid(ruleId: string, eventId: string): string {
  const hash = createHash('sha1').update(ALERT_NAMESPACE).update(`${ruleId}\u0000${eventId}`, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A stable stand-in for records that carry no eventID (very old trails, hand-made inputs). */
export function contentEventId(original: string): string {
  return `sha256:${createHash('sha256').update(original, 'utf8').digest('hex')}`;
}

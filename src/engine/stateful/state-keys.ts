import { createHash } from 'node:crypto';

/**
 * State keys: `<kind>#<rule id>#<hash of the values>`. The hash (SHA-256, 128 bits in base64url) keeps keys short
 * and ASCII whatever the values are (ARNs, user agents); the values themselves are kept in the state for people.
 */
export function stateKey(kind: 'new_terms' | 'threshold' | 'sequence', ruleId: string, values: readonly string[]): string {
  return `${kind}#${ruleId}#${shortHash(JSON.stringify(values), 22)}`;
}

/** A stable digest of `text` in base64url, `length` characters (6 bits each). */
export function shortHash(text: string, length: number): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url').slice(0, length);
}

/** An event id as stored in state: as it is up to 64 characters (CloudTrail's are 36), else a digest of it. */
export function compactEventId(eventId: string): string {
  return eventId.length <= 64 ? eventId : `#${shortHash(eventId, 22)}`;
}

/**
 * How late an event may be processed, behind the newest event of the same state key, and still be judged exactly as
 * the contract says (../shared/reference/stateful-rules.md): state older than that is pruned from a key, and a key
 * whose newest event is older than that plus the rule's window expires (DynamoDB TTL, or the scan store's sweep).
 *
 * - new_terms: one day. EventBridge retries a delivery for up to 24 hours and Lambda an invocation for up to 6, and
 *   a term's state is a few spans of time, so keeping a day costs nothing.
 * - threshold: 15 minutes past the window. A group's state holds events, so its size follows this; records of one
 *   CloudTrail file and Lambda's retries are minutes apart. An event later than that is counted against what its
 *   group still holds: a count can come out lower (a crossing seen later or not at all), never higher.
 */
export const NEW_TERMS_LATENESS_MS = 24 * 3_600_000;
export const THRESHOLD_LATENESS_MS = 15 * 60_000;

/**
 * EQL sequences: 15 minutes, as threshold and for the same reasons: a key's state holds events, and EventBridge does
 * not deliver a key's events in order (a first step may arrive after its second). An event later than that behind
 * the newest of its key, and more than the sequence's span before it, is not placed (its partners are gone).
 */
export const SEQUENCE_LATENESS_MS = 15 * 60_000;

import { ARCHIVE_FORMAT, archivedIdentity, classifyArchiveObject, type DeliveryState } from '../../engine/alerts/archived-alert';

/** An archived alert the detector never delivered: what `redrive --undelivered-alerts` asks the function to send. */
export interface UndeliveredAlert {
  readonly kind: 'undelivered';
  readonly ruleId: string;
  readonly eventId: string;
  readonly alertKey?: string;
  readonly state: Exclude<DeliveryState, 'published'>;
  /** Since the publish failed (`publish_failed`) or the claim was taken (`claimed`); undefined when the time is unreadable. */
  readonly ageMs: number | undefined;
}

/** Why an archive object is left alone. */
export type LeftAlone =
  | { readonly kind: 'delivered' } // published, or deliberately not published (suppressed_*)
  | { readonly kind: 'recently-claimed'; readonly ageMs: number } // a delivery that may still be under way
  | { readonly kind: 'not-an-alert'; readonly reason: string };

/**
 * What one archive object is, for the re-delivery: the same classifier the delivery uses (classifyArchiveObject),
 * checked against the rule, event and alert key the object itself names. `publish_failed` is undelivered at any age
 * (its invocation gave the claim back); `claimed` only once older than `minAgeMs` (younger, its holder may be
 * publishing right now; the function would refuse it anyway until the lease runs out).
 */
export function classifyForRedelivery(body: string, now: Date, minAgeMs: number): UndeliveredAlert | LeftAlone {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { kind: 'not-an-alert', reason: 'not JSON' };
  }
  const identity = archivedIdentity(json);
  if (identity === undefined) return { kind: 'not-an-alert', reason: `not an alert archived in the ${ARCHIVE_FORMAT} format` };
  const found = classifyArchiveObject({ etag: '', json, isJson: true }, identity);
  if (found.kind === 'unrecognised') return { kind: 'not-an-alert', reason: found.reason };
  if (found.kind === 'published' || found.kind === 'suppressed') return { kind: 'delivered' };
  const since = Date.parse(found.kind === 'publish_failed' ? (found.record.failedAt ?? found.record.claimedAt) : found.record.claimedAt);
  const ageMs = Number.isFinite(since) ? Math.max(0, now.getTime() - since) : undefined;
  if (found.kind === 'claimed' && ageMs !== undefined && ageMs < minAgeMs) return { kind: 'recently-claimed', ageMs };
  return { kind: 'undelivered', ...identity, state: found.kind, ageMs };
}

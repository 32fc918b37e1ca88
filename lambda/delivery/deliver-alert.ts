import type { SNSClient } from '@aws-sdk/client-sns';
import { type AccountNames, buildAlertNotification, genericSubject } from '../../src/engine/alerts';
import type { Detection } from '../../src/engine/detector';
import type { Logger } from '../log';
import {
  alertArchiveKey,
  alertEventId,
  ARCHIVE_FORMAT,
  classifyArchiveObject,
  conditionalPut,
  readJsonObject,
  type AlertArchive,
  type ArchivedAlert,
} from './archive-alert';
import { publishAlert } from './publish-alert';

export interface AlertDelivery {
  readonly sns: SNSClient;
  readonly topicArn: string;
  readonly archive: AlertArchive;
  /** How long another invocation's `claimed` object is respected before it is taken over. */
  readonly claimLeaseMs: number;
  readonly now?: () => Date;
  /** Display names of accounts for the subject and e-mail (organization deployments; detector-config.json). */
  readonly accountNames?: AccountNames;
}

export interface DeliveredAlert {
  readonly ruleId: string;
  readonly eventId: string;
  readonly archiveKey: string;
  readonly snsMessageId: string | undefined;
  /**
   * `duplicate`: an earlier delivery of the same event already published this alert; nothing was sent.
   * `duplicate_suppressed`: an earlier delivery archived the match as `suppressed_by_exception` / `suppressed_by_window`
   * (deliberately not published); nothing was sent.
   */
  readonly outcome: 'published' | 'duplicate' | 'duplicate_suppressed';
}

/**
 * Another invocation holds a fresh claim on this alert: it is publishing it right now (or died doing so less than a
 * lease ago). Failing is the safe answer: Lambda retries the event later, by which time the alert is either
 * `published` (the retry suppresses it) or the claim is stale (the retry takes it over and publishes).
 */
export class AlertDeliveryInProgressError extends Error {
  override readonly name = 'AlertDeliveryInProgressError';
  readonly retryable = true;
  constructor(
    message: string,
    readonly archiveKey: string,
    readonly heldBy: string,
    readonly claimedAt: string,
  ) {
    super(message);
  }
}

const MAX_CLAIM_ROUNDS = 5;

/**
 * Delivers one alert exactly once per (rule, CloudTrail event id), using the archive object as a lock:
 *
 * 1. Claim: create the object with `If-None-Match: *` in state `claimed` (alert inside, our request id, time).
 *    Only one delivery of the event can create it; everyone else gets 412 and reads what is there.
 * 2. Publish to SNS.
 * 3. Record: replace the object with `If-Match: <etag of our claim>` in state `published` (+ SNS MessageId).
 *
 * A delivery that finds the object instead:
 * - `published`: does nothing ("duplicate suppressed").
 * - `suppressed_by_exception` / `suppressed_by_window` for the same rule and event: does nothing either; the match was
 *   deliberately not published, and a redelivery does not publish it (one classifier: `classifyArchiveObject`).
 * - `claimed` by another invocation less than a lease ago: throws `AlertDeliveryInProgressError` (Lambda retries).
 * - `claimed` by this same request id (Lambda keeps it across its retries: our own earlier, failed attempt),
 *   `claimed` longer ago than the lease (the holder died), `publish_failed`, or an object it does not recognise
 *   (e.g. a raw alert archived by an older version, which archived before publishing): takes it over with
 *   `If-Match: <etag it read>`, so that of several takers exactly one wins, then publishes.
 *
 * Residual window (docs/delivery.md): if SNS accepted the publish but the invocation could not record `published`
 * (S3 failing after the SDK's retries, or the function timing out between the two calls), the object stays
 * `claimed` and the invocation fails; its retry takes the claim over and publishes again. That is at most one
 * duplicate notification per such failure, never a lost alert. SNS has no idempotency key for standard topics,
 * so a publish and an S3 write cannot be made atomic; this protocol only narrows the window to that gap.
 */
export async function deliverAlert(
  detection: Detection,
  delivery: AlertDelivery,
  log: Logger,
  requestId: string,
  /** A claim this invocation already holds on the archive key (the suppression path claims before deciding). */
  held?: { readonly etag: string; readonly record: ArchivedAlert },
): Promise<DeliveredAlert> {
  const { alert, rule, alertKey } = detection;
  const ruleId = rule.rule.ruleId;
  const eventId = alertEventId(alert, ruleId);
  const archiveKey = alertArchiveKey(delivery.archive.prefix, ruleId, eventId, alertKey);
  const now = delivery.now ?? (() => new Date());
  const fields = { ruleId, eventId, ...(alertKey ? { alertKey } : {}), archiveBucket: delivery.archive.bucket, archiveKey };

  const claimedAt = now().toISOString();
  const claim: ArchivedAlert = { format: ARCHIVE_FORMAT, state: 'claimed', ruleId, eventId, ...(alertKey ? { alertKey } : {}), requestId, claimedAt, alert };

  let claimEtag: string | undefined = held?.etag;
  let record: ArchivedAlert = held ? { ...withoutWindowMark(held.record), alert } : claim;
  for (let round = 0; round < MAX_CLAIM_ROUNDS && claimEtag === undefined; round++) {
    const created = await conditionalPut(delivery.archive, archiveKey, claim, { ifNoneMatch: '*' });
    if (created.written) {
      claimEtag = created.etag;
      break;
    }
    // Only a 412 says the key exists; after a 409 (a write in flight) it may not, and reading a missing key is
    // S3's 403 for a role without s3:ListBucket (docs/delivery.md): create again instead.
    if (created.reason !== 'PreconditionFailed') continue;
    const existing = await readJsonObject(delivery.archive, archiveKey);
    if (existing === undefined) continue; // Deleted in between: try to create it again.
    const found = classifyArchiveObject(existing, { ruleId, eventId, alertKey });

    if (found.kind === 'published') {
      const published = found.record;
      log.info('duplicate suppressed', { ...fields, snsMessageId: published.snsMessageId, publishedBy: published.requestId, publishedAt: published.publishedAt });
      return { ruleId, eventId, archiveKey, snsMessageId: published.snsMessageId, outcome: 'duplicate' };
    }
    if (found.kind === 'suppressed') {
      log.info('duplicate suppressed', { ...fields, state: found.record.state, suppressedBy: found.record.requestId, suppressedAt: found.record.suppressedAt });
      return { ruleId, eventId, archiveKey, snsMessageId: undefined, outcome: 'duplicate_suppressed' };
    }
    const previous = found.kind === 'unrecognised' ? undefined : found.record;
    if (previous) throwIfClaimHeld(previous, requestId, now(), delivery.claimLeaseMs, archiveKey);

    const tookOver = previous
      ? { state: previous.state, requestId: previous.requestId, claimedAt: previous.claimedAt }
      : { state: 'unrecognised' };
    const takeover: ArchivedAlert = { ...claim, claimedAt: now().toISOString(), tookOver };
    const replaced = await conditionalPut(delivery.archive, archiveKey, takeover, { ifMatch: existing.etag });
    if (replaced.written) {
      log.warn('took over the delivery claim', {
        ...fields,
        previousState: tookOver.state,
        previousRequestId: previous?.requestId,
        previousClaimedAt: previous?.claimedAt,
        ...(found.kind === 'unrecognised' ? { unrecognised: found.reason } : {}),
      });
      claimEtag = replaced.etag;
      record = takeover;
    }
    // Otherwise another delivery changed the object since we read it: look again.
  }
  if (claimEtag === undefined) {
    throw new Error(`Could not claim the alert of rule ${ruleId} for event ${eventId} at ${archiveKey} after ${MAX_CLAIM_ROUNDS} rounds of contention; Lambda will retry`);
  }

  const notification = buildAlertNotification(alert, rule.rule, { accountNames: delivery.accountNames });
  let published;
  try {
    published = await publishAlert(delivery.sns, delivery.topicArn, notification, genericSubject(rule.rule));
  } catch (error) {
    await releaseClaim(delivery, archiveKey, record, claimEtag, now, error, log, fields);
    throw error;
  }
  const { messageId: snsMessageId, subjectReplaced } = published;
  if (subjectReplaced) {
    log.warn('SNS rejected the alert subject; published with the generic subject', { ruleId, eventId, subject: notification.subject });
  }

  const done: ArchivedAlert = { ...record, state: 'published', publishedAt: now().toISOString(), snsMessageId };
  let marked;
  try {
    marked = await conditionalPut(delivery.archive, archiveKey, done, { ifMatch: claimEtag });
  } catch (error) {
    // The residual window: SNS has the alert, the archive still says `claimed`. Failing makes Lambda retry, and the
    // retry (same request id) takes the claim over and publishes once more: one duplicate, nothing lost.
    log.error('alert published but the archive could not record it; the retry may publish it once more', { ...fields, snsMessageId, error });
    throw error;
  }
  if (!marked.written) {
    // Our claim was taken over (we outlived the lease): the taker publishes and records; retrying cannot help.
    log.warn('alert published but the claim was taken over meanwhile; the taker records the delivery', { ...fields, snsMessageId, reason: marked.reason });
  }

  log.info('alert published', { ...fields, ruleName: rule.rule.name, severity: notification.attributes.severity, snsMessageId });
  return { ruleId, eventId, archiveKey, snsMessageId, outcome: 'published' };
}

/**
 * After a failed publish, marks the claim `publish_failed` so that the next delivery of the event (Lambda's retry or
 * a redelivery under another request id) takes it over at once instead of waiting out the lease. Best effort: if
 * this write fails too, the claim simply expires.
 */
async function releaseClaim(
  delivery: AlertDelivery,
  key: string,
  record: ArchivedAlert,
  etag: string,
  now: () => Date,
  cause: unknown,
  log: Logger,
  fields: Record<string, unknown>,
): Promise<void> {
  const failed: ArchivedAlert = {
    ...record,
    state: 'publish_failed',
    failedAt: now().toISOString(),
    failure: cause instanceof Error ? `${cause.name}: ${cause.message}`.slice(0, 1000) : String(cause).slice(0, 1000),
  };
  try {
    await conditionalPut(delivery.archive, key, failed, { ifMatch: etag });
  } catch (error) {
    log.warn('could not release the delivery claim after the failed publish; it expires after the lease', { ...fields, error });
  }
}

/**
 * Throws `AlertDeliveryInProgressError` when `previous` is a `claimed` object of another invocation younger than the
 * lease: that invocation may be publishing right now. Our own request id's claim (an earlier attempt of this
 * invocation) and stale claims pass.
 */
export function throwIfClaimHeld(previous: ArchivedAlert, requestId: string, now: Date, claimLeaseMs: number, archiveKey: string): void {
  if (previous.state !== 'claimed' || previous.requestId === requestId) return;
  const claimedMs = Date.parse(previous.claimedAt);
  const leaseEnds = claimedMs + claimLeaseMs;
  if (Number.isFinite(claimedMs) && now.getTime() < leaseEnds) {
    throw new AlertDeliveryInProgressError(
      `Alert of rule ${previous.ruleId} for event ${previous.eventId} is being delivered by invocation ${previous.requestId} ` +
        `(claimed ${previous.claimedAt}, lease until ${new Date(leaseEnds).toISOString()}); ` +
        `failing so that Lambda retries this event after that delivery has finished or its lease has run out`,
      archiveKey,
      previous.requestId,
      previous.claimedAt,
    );
  }
}

/** The record without the `awaitingWindow` mark: once the window has decided, the claim is an ordinary one. */
function withoutWindowMark(record: ArchivedAlert): ArchivedAlert {
  const { awaitingWindow: _decided, ...rest } = record;
  return rest;
}

import { archivedIdentity, classifyArchiveObject, type ArchiveIdentity, type StoredJsonObject } from '../../src/engine/alerts/archived-alert';
import { undeliveredAlertKey } from '../../src/engine/alerts/undelivered-alert-request';
import type { Detection } from '../../src/engine/detector';
import type { EcsDocument } from '../../src/engine/ecs/ecs-document';
import type { CompiledRule } from '../../src/engine/rules/detection-rule';
import type { Logger } from '../log';
import { alertArchiveKey, alertEventId, ARCHIVE_FORMAT, readJsonObject } from './archive-alert';
import { throwIfClaimHeld } from './deliver-alert';
import { emfLine, handleMatch, type HandledMatch, type MatchHandling } from './suppress-match';

/** Why a request to re-deliver an archived alert was refused; the metric's `Reason` dimension. */
export type RedeliveryRefusal = 'InvalidKey' | 'MissingObject' | 'NotAnArchivedAlert' | 'RuleNotInPack';

export type RedeliveredAlert =
  | { readonly archiveKey: string; readonly outcome: HandledMatch['outcome'] }
  | { readonly archiveKey: string | undefined; readonly outcome: 'refused'; readonly refusal: RedeliveryRefusal; readonly reason: string };

export interface Redelivery extends Omit<MatchHandling, 'receivedAt'> {
  /** The packaged rule pack: the archived alert's rule is looked up in it by id. */
  readonly rules: readonly CompiledRule[];
}

/**
 * Re-delivers the alert archived at the requested key, if the detector archived it and never delivered it
 * (docs/redrive.md, "Re-delivering undelivered alerts"). For an alert of a stateful rule, this is the only way back
 * once its state has expired: a re-driven event alone raises nothing then.
 *
 * - `published`, `suppressed_*`: nothing sent (`duplicate`, `duplicate_suppressed`); running it twice sends nothing twice.
 * - `claimed` by another invocation less than a lease ago: `AlertDeliveryInProgressError` (retryable).
 * - `publish_failed`, a stale `claimed`: handed to handleMatch with the archived alert as the match, i.e. the same
 *   exactly-once protocol (take-over with If-Match, publish, `published`), the rule's exceptions as they are now, and,
 *   for a claim that died before its suppression window decided (`awaitingWindow`), the same window decision, grouped
 *   on the archived alert's ECS fields (the event's fields, or a sequence's shared ones: what the normal path groups on).
 * - an invalid key, a missing or unreadable object, one that is not an archived alert of that key, a rule no longer in
 *   the pack: refused, with one log line and one `UndeliveredAlertRefused` datapoint; not thrown, since a retry would
 *   see the same.
 */
export async function redeliverArchivedAlert(request: unknown, redelivery: Redelivery, log: Logger, requestId: string): Promise<RedeliveredAlert> {
  const { delivery } = redelivery;
  const writeMetric = redelivery.writeMetric ?? ((line: string) => void process.stdout.write(line));
  const refuse = (archiveKey: string | undefined, refusal: RedeliveryRefusal, reason: string): RedeliveredAlert => {
    writeMetric(emfLine('UndeliveredAlertRefused', { Reason: refusal }, archiveKey === undefined ? {} : { ArchiveKey: archiveKey }));
    log.error('re-delivery of an archived alert refused', { refusal, reason, ...(archiveKey === undefined ? { requested: requestedKey(request) } : { archiveKey }) });
    return { archiveKey, outcome: 'refused', refusal, reason };
  };

  const requested = undeliveredAlertKey(request, delivery.archive.prefix);
  if ('problem' in requested) return refuse(undefined, 'InvalidKey', requested.problem);
  const { archiveKey } = requested;

  const stored = await readArchiveObject(redelivery, archiveKey);
  if (stored === undefined) {
    return refuse(archiveKey, 'MissingObject', 'no object at the key, or the function may not read it (without s3:ListBucket, S3 answers a missing key with AccessDenied)');
  }
  const identity = stored.isJson ? archivedIdentity(stored.json) : undefined;
  if (identity === undefined) return refuse(archiveKey, 'NotAnArchivedAlert', `the object is not an alert archived in the ${ARCHIVE_FORMAT} format`);
  const found = classifyArchiveObject(stored, identity);
  const fields = { archiveKey, ruleId: identity.ruleId, eventId: identity.eventId, ...(identity.alertKey ? { alertKey: identity.alertKey } : {}) };
  if (found.kind === 'unrecognised') return refuse(archiveKey, 'NotAnArchivedAlert', `the object is ${found.reason}`);
  if (found.kind === 'published') {
    log.info('re-delivery: the archived alert was published already; nothing sent', { ...fields, snsMessageId: found.record.snsMessageId, publishedAt: found.record.publishedAt });
    return { archiveKey, outcome: 'duplicate' };
  }
  if (found.kind === 'suppressed') {
    log.info('re-delivery: the match was archived as not published; nothing sent', { ...fields, state: found.record.state });
    return { archiveKey, outcome: 'duplicate_suppressed' };
  }
  const { alert } = found.record;
  // The alert must name the key it sits at: handleMatch writes where the alert says, never elsewhere.
  if (!isAlertOfKey(alert, identity, delivery.archive.prefix, archiveKey)) {
    return refuse(archiveKey, 'NotAnArchivedAlert', 'the archived alert does not belong at this key (its rule, event or alert key names another one)');
  }
  throwIfClaimHeld(found.record, requestId, (delivery.now ?? (() => new Date()))(), delivery.claimLeaseMs, archiveKey);
  const rule = redelivery.rules.find((compiled) => compiled.rule.ruleId === identity.ruleId);
  if (rule === undefined) return refuse(archiveKey, 'RuleNotInPack', `rule ${identity.ruleId} is not in the deployed rule pack`);

  log.warn('re-delivering an archived alert that was never delivered', { ...fields, state: found.kind, claimedAt: found.record.claimedAt, failure: found.record.failure });
  const detection: Detection = { rule, alert, document: alert as EcsDocument, alertKey: identity.alertKey ?? '' };
  const handled = await handleMatch(detection, { ...redelivery, receivedAt: new Date() }, log, requestId);
  return { archiveKey, outcome: handled.outcome };
}

async function readArchiveObject(redelivery: Redelivery, archiveKey: string): Promise<StoredJsonObject | undefined> {
  try {
    return await readJsonObject(redelivery.delivery.archive, archiveKey);
  } catch (error) {
    // The role has no s3:ListBucket: S3 answers a read of a missing key with 403 AccessDenied (docs/delivery.md).
    if (error instanceof Error && (error.name === 'AccessDenied' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403)) return undefined;
    throw error;
  }
}

function isAlertOfKey(alert: unknown, identity: ArchiveIdentity, prefix: string, archiveKey: string): boolean {
  if (typeof alert !== 'object' || alert === null || Array.isArray(alert)) return false;
  let eventId: string;
  try {
    eventId = alertEventId(alert as EcsDocument, identity.ruleId);
  } catch {
    return false;
  }
  return eventId === identity.eventId && alertArchiveKey(prefix, identity.ruleId, eventId, identity.alertKey) === archiveKey;
}

/** The requested key for the log, when it was refused before being accepted as one (capped; the logger escapes it). */
function requestedKey(request: unknown): string | undefined {
  const detail = (request as { detail?: unknown } | null)?.detail;
  const key = typeof detail === 'object' && detail !== null ? (detail as { archiveKey?: unknown }).archiveKey : undefined;
  return typeof key === 'string' ? key.slice(0, 1100) : undefined;
}

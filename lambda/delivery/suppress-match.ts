import { withSuppressionFields } from '../../src/engine/alerts/suppression-fields';
import { type Detection, suppressionDocumentOf } from '../../src/engine/detector';
import {
  decideSuppression,
  findMatchingException,
  suppressionKeyFromTerms,
  suppressionTerms,
  type ExceptionList,
  type SuppressionDecision,
  type SuppressionTerm,
  type SuppressionWindow,
} from '../../src/engine/exceptions';
import type { Logger } from '../log';
import {
  alertArchiveKey,
  alertEventId,
  ARCHIVE_FORMAT,
  classifyArchiveObject,
  conditionalPut,
  readJsonObject,
  safeKeySegment,
  type AlertArchive,
  type ArchivedAlert,
  type ClassifiedArchiveObject,
  type SuppressedMatch,
  type SuppressedState,
} from './archive-alert';
import { METRIC_NAMESPACE } from './metric-namespace';
import { deliverAlert, throwIfClaimHeld, type AlertDelivery, type DeliveredAlert } from './deliver-alert';

export type { SuppressedMatch, SuppressedState } from './archive-alert';


/** The JSON stored at `<suppression prefix><rule>/<key>.json`: one rule's window for one set of group_by values. */
export interface StoredSuppressionWindow {
  readonly format: 'cloudtrail-stream-detector/suppression-window/v1';
  readonly ruleId: string;
  readonly terms: readonly SuppressionTerm[];
  readonly window: SuppressionWindow;
  /** The event whose alert opened the window (a redelivery of it alerts again; deliverAlert makes that a duplicate). */
  readonly openedBy: string;
  /** The window this one followed, whose count the opening alert reported. */
  readonly previous?: SuppressionWindow;
  /** Events already counted in this window (the last 200), so a redelivered event is not counted twice. */
  readonly counted: readonly string[];
  /**
   * The events that opened the earlier windows of this key (the last 50) and what their alerts said: a retry of such an
   * event whose alert was never claimed (the invocation died between the window write and the claim) alerts with the
   * same fields instead of being counted in a window opened after its own.
   */
  readonly earlierOpeners?: readonly OpeningAlert[];
}

/** The suppression fields of an alert that opened a window. */
export interface OpeningAlert {
  readonly eventId: string;
  readonly window: SuppressionWindow;
  readonly suppressedSinceLastAlert: number;
  readonly previousWindow?: SuppressionWindow;
}

export interface MatchHandling {
  readonly delivery: AlertDelivery;
  /** Exception lists per rule id (exceptions.json). */
  readonly exceptions: ReadonlyMap<string, readonly ExceptionList[]>;
  /** Empty or ending in `/`; default `suppression/`. */
  readonly suppressionPrefix: string;
  /** Receive time: exceptions expire and windows run against it. */
  readonly receivedAt: Date;
  /** Writes one EMF line (default: stdout, which Lambda sends to CloudWatch Logs). */
  readonly writeMetric?: (line: string) => void;
}

export type HandledMatch =
  | DeliveredAlert
  | { readonly ruleId: string; readonly eventId: string; readonly archiveKey: string; readonly outcome: SuppressedState | 'duplicate_suppressed' };

const MAX_WINDOW_ROUNDS = 8;
const MAX_ARCHIVE_ROUNDS = 5;
const MAX_COUNTED_IDS = 200;
const MAX_EARLIER_OPENERS = 50;

/**
 * One rule match: excepted (archived `suppressed_by_exception`, counted), inside a suppression window (archived
 * `suppressed_by_window`, counted in the window), or delivered (with `kibana.alert.suppression.*` when the rule
 * suppresses). See docs/exceptions.md.
 */
export async function handleMatch(detection: Detection, handling: MatchHandling, log: Logger, requestId: string): Promise<HandledMatch> {
  const rule = detection.rule.rule;
  const { delivery, receivedAt } = handling;
  const eventId = alertEventId(detection.alert, rule.ruleId);
  const { alertKey } = detection;
  const archiveKey = alertArchiveKey(delivery.archive.prefix, rule.ruleId, eventId, alertKey);
  const fields = { ruleId: rule.ruleId, eventId, ...(alertKey ? { alertKey } : {}), archiveKey };
  // What a suppression window counts: the event, or for a stateful rule's several alerts on it, each one.
  const matchId = alertKey ? `${eventId}/${alertKey}` : eventId;
  const writeMetric = handling.writeMetric ?? ((line: string) => void process.stdout.write(line));

  const excepted = findMatchingException(handling.exceptions.get(rule.ruleId) ?? [], detection.document, receivedAt);
  if (excepted) {
    const { list, item } = excepted;
    const record: SuppressedMatch = {
      format: ARCHIVE_FORMAT,
      state: 'suppressed_by_exception',
      ruleId: rule.ruleId,
      eventId,
      ...(alertKey ? { alertKey } : {}),
      requestId,
      suppressedAt: new Date().toISOString(),
      exception: { listId: list.listId, itemId: item.itemId, itemName: item.name, owner: item.owner, ...(item.expireTime ? { expireTime: item.expireTime } : {}) },
      alert: detection.alert,
    };
    const recorded = await recordException(record, delivery, log, requestId, fields);
    if (recorded.outcome === 'suppressed_by_exception') {
      writeMetric(emfLine('SuppressedByException', { RuleId: rule.ruleId, ExceptionItemId: item.itemId }, { ExceptionListId: list.listId, EventId: eventId }));
      log.info('match suppressed by exception', { ...fields, exceptionListId: list.listId, exceptionItemId: item.itemId, exceptionItemName: item.name });
    }
    return recorded;
  }

  const terms = suppressionTerms(rule, suppressionDocumentOf(detection));
  if (!rule.alertSuppression || !terms) return deliverAlert(detection, delivery, log, requestId);
  const key = suppressionKeyFromTerms(rule.ruleId, terms);

  // Claim the archive key before consulting the window, with a conditional create: the key is read only after S3 said
  // it exists (412), never to find out whether it exists. Without s3:ListBucket (the role has none) S3 answers a
  // read of a missing key with 403 AccessDenied, not 404 (docs/delivery.md, "Never read a missing key").
  const claimed = await claimBeforeWindow(detection, delivery, log, requestId, fields);
  if (claimed.kind === 'existing') {
    // A redelivered event meets its own archive object (published, claimed after the window said "alert",
    // publish_failed, or a suppressed_* record): deliverAlert decides with the shared classifier, on the alert as first
    // archived: a suppressed match stays suppressed, a published one is a duplicate, a claim is taken over or waited for.
    return deliverAlert({ ...detection, alert: claimed.alert }, delivery, log, requestId);
  }

  const windowKey = `${handling.suppressionPrefix}${safeKeySegment(rule.ruleId)}/${key}.json`;
  const decision = await stepWindow(delivery.archive, windowKey, rule.ruleId, terms, key, matchId, receivedAt, rule.alertSuppression.duration);
  if (decision.action === 'alert') {
    const alert = withSuppressionFields(detection.alert, terms, decision.window, decision.suppressedSinceLastAlert, decision.previousWindow);
    return deliverAlert({ ...detection, alert }, delivery, log, requestId, claimed.held);
  }
  const record: SuppressedMatch = {
    format: ARCHIVE_FORMAT,
    state: 'suppressed_by_window',
    ruleId: rule.ruleId,
    eventId,
    ...(alertKey ? { alertKey } : {}),
    requestId,
    suppressedAt: new Date().toISOString(),
    suppression: { key, terms, start: decision.window.start, end: decision.window.end, windowKey },
    alert: detection.alert,
  };
  // Our claim becomes the suppression record. If-Match: only if the claim is still ours.
  const written = await conditionalPut(delivery.archive, archiveKey, record, { ifMatch: claimed.held.etag });
  if (written.written) {
    // The archive record is the per-event mark: the metric goes with it, once per event (also when the window had
    // counted the event already, in an attempt that died before writing the record).
    writeMetric(emfLine('SuppressedByWindow', { RuleId: rule.ruleId }, { EventId: eventId }));
    log.info('match suppressed by alert suppression', {
      ...fields,
      windowKey,
      windowStart: decision.window.start,
      windowEnd: decision.window.end,
      suppressedCount: decision.window.suppressedCount,
    });
    return { ...fields, outcome: 'suppressed_by_window' };
  }
  // Our claim was taken over meanwhile (this invocation outlived the lease): whoever holds the key now decides, and
  // deliverAlert, which never suppresses what nobody is known to have published, finds out what it is.
  log.warn('the delivery claim was taken over while the suppression window was consulted; delivering instead', { ...fields, windowKey, reason: written.reason });
  return deliverAlert(detection, delivery, log, requestId);
}

type ClaimBeforeWindow =
  | { readonly kind: 'held'; readonly held: { readonly etag: string; readonly record: ArchivedAlert } }
  | { readonly kind: 'existing'; readonly alert: Detection['alert'] };

/**
 * Claims the archive key of a match of a rule with alert suppression, before its window is consulted: `If-None-Match:
 * *` with a `claimed` record marked `awaitingWindow`. When the key is taken (412), reads it (it exists) and classifies
 * it: a claim awaiting its window that another live invocation holds is waited for (retryable error); one that is ours
 * (an earlier attempt) or stale is taken over with `If-Match`, and the window is consulted again (it recognises an
 * event it already counted or that opened it); anything else goes to deliverAlert with the archived alert. An
 * unrecognised object (a raw alert of an older version, not JSON) is an alert nobody is known to have published:
 * deliverAlert takes it over and publishes.
 */
async function claimBeforeWindow(
  detection: Detection,
  delivery: AlertDelivery,
  log: Logger,
  requestId: string,
  fields: { readonly ruleId: string; readonly eventId: string; readonly alertKey?: string; readonly archiveKey: string },
): Promise<ClaimBeforeWindow> {
  const { archiveKey } = fields;
  const now = delivery.now ?? (() => new Date());
  const pending: ArchivedAlert = {
    format: ARCHIVE_FORMAT,
    state: 'claimed',
    ruleId: fields.ruleId,
    eventId: fields.eventId,
    // Without it, a stateful rule's claim (several alerts per event) would not be recognised as the one of this alert.
    ...(fields.alertKey ? { alertKey: fields.alertKey } : {}),
    requestId,
    claimedAt: now().toISOString(),
    awaitingWindow: true,
    alert: detection.alert,
  };
  for (let round = 0; round < MAX_ARCHIVE_ROUNDS; round++) {
    const created = await conditionalPut(delivery.archive, archiveKey, pending, { ifNoneMatch: '*' });
    if (created.written) return { kind: 'held', held: { etag: created.etag, record: pending } };
    if (created.reason !== 'PreconditionFailed') continue; // 409: a write in flight; try again
    const current = await readJsonObject(delivery.archive, archiveKey);
    if (current === undefined) continue; // Deleted in between: create it again.
    const found = classifyArchiveObject(current, fields);
    if (found.kind === 'unrecognised') return { kind: 'existing', alert: detection.alert };
    if (found.kind !== 'claimed' || found.record.awaitingWindow !== true) return { kind: 'existing', alert: found.record.alert };
    throwIfClaimHeld(found.record, requestId, now(), delivery.claimLeaseMs, archiveKey);
    const takeover: ArchivedAlert = { ...pending, claimedAt: now().toISOString(), tookOver: { state: 'claimed', requestId: found.record.requestId, claimedAt: found.record.claimedAt } };
    const replaced = await conditionalPut(delivery.archive, archiveKey, takeover, { ifMatch: current.etag });
    if (replaced.written) {
      log.warn('took over the delivery claim', { ...fields, previousState: 'claimed', previousRequestId: found.record.requestId, previousClaimedAt: found.record.claimedAt, awaitingWindow: true });
      return { kind: 'held', held: { etag: replaced.etag, record: takeover } };
    }
    // Changed since we read it: look again.
  }
  throw new Error(`Could not claim the match of rule ${fields.ruleId} for event ${fields.eventId} at ${archiveKey} after ${MAX_ARCHIVE_ROUNDS} rounds of contention; Lambda will retry`);
}

/**
 * Writes the `suppressed_by_exception` record with `If-None-Match: *`. When the key is taken, classifies what is there
 * (classifyArchiveObject): a `suppressed_*` record is a redelivery (`duplicate_suppressed`), `published` a duplicate
 * (the alert went out before the exception was deployed; the record stays as it is); a claim of another live
 * invocation is waited for (`AlertDeliveryInProgressError`); anything else (`publish_failed`, our own or a stale
 * claim, an unrecognised object) is replaced with `If-Match` by the exception record, so that the archive says why
 * the match was not published. Contention is retried like deliverAlert's claim.
 */
async function recordException(
  record: SuppressedMatch,
  delivery: AlertDelivery,
  log: Logger,
  requestId: string,
  fields: { readonly ruleId: string; readonly eventId: string; readonly alertKey?: string; readonly archiveKey: string },
): Promise<HandledMatch> {
  const { archiveKey } = fields;
  for (let round = 0; round < MAX_ARCHIVE_ROUNDS; round++) {
    const created = await conditionalPut(delivery.archive, archiveKey, record, { ifNoneMatch: '*' });
    if (created.written) return { ...fields, outcome: 'suppressed_by_exception' };
    if (created.reason !== 'PreconditionFailed') continue; // 409: a write in flight; the key may not exist, create again
    const current = await readJsonObject(delivery.archive, archiveKey);
    if (current === undefined) continue; // Deleted in between: create it again.
    const found: ClassifiedArchiveObject = classifyArchiveObject(current, fields);
    if (found.kind === 'suppressed') {
      log.info('duplicate suppressed', { ...fields, state: found.record.state, suppressedBy: found.record.requestId });
      return { ...fields, outcome: 'duplicate_suppressed' };
    }
    if (found.kind === 'published') {
      log.info('duplicate suppressed', { ...fields, state: 'published', snsMessageId: found.record.snsMessageId, publishedBy: found.record.requestId, publishedAt: found.record.publishedAt });
      return { ...fields, snsMessageId: found.record.snsMessageId, outcome: 'duplicate' };
    }
    if (found.kind === 'claimed') throwIfClaimHeld(found.record, requestId, new Date(), delivery.claimLeaseMs, archiveKey);
    const replaced: SuppressedMatch = {
      ...record,
      replaced: found.kind === 'unrecognised' ? { state: 'unrecognised' } : { state: found.record.state, requestId: found.record.requestId },
    };
    const written = await conditionalPut(delivery.archive, archiveKey, replaced, { ifMatch: current.etag });
    if (written.written) {
      log.warn('replaced an earlier delivery attempt with the exception record', {
        ...fields,
        previousState: replaced.replaced?.state,
        previousRequestId: replaced.replaced?.requestId,
        ...(found.kind === 'unrecognised' ? { unrecognised: found.reason } : {}),
      });
      return { ...fields, outcome: 'suppressed_by_exception' };
    }
    // Changed since we read it: look again.
  }
  throw new Error(`Could not archive the excepted match of rule ${fields.ruleId} for event ${fields.eventId} at ${archiveKey} after ${MAX_ARCHIVE_ROUNDS} rounds of contention; Lambda will retry`);
}

type WindowStep = (SuppressionDecision & { readonly alreadyCounted?: false }) | { readonly action: 'suppress'; readonly window: SuppressionWindow; readonly alreadyCounted: true };

/**
 * Reads the window, decides (decideSuppression), and stores the new window with a conditional write: `If-None-Match: *`
 * for the first window of a key, `If-Match: <etag read>` afterwards. On 412/409/404 someone else changed it: read
 * and decide again.
 */
async function stepWindow(
  archive: AlertArchive,
  windowKey: string,
  ruleId: string,
  terms: readonly SuppressionTerm[],
  key: string,
  eventId: string,
  now: Date,
  duration: NonNullable<Detection['rule']['rule']['alertSuppression']>['duration'],
): Promise<WindowStep> {
  // The window is read only once S3 has said it exists: first try to create the window this event opens (the answer
  // when there is none), and read only after that create failed with 412 (or an If-Match update failed with 412).
  let known = false;
  for (let round = 0; round < MAX_WINDOW_ROUNDS; round++) {
    if (!known) {
      const opening = decideSuppression(undefined, now, duration, key);
      if (opening.action !== 'alert') throw new Error('decideSuppression suppressed without a window'); // cannot happen
      const created = await conditionalPut(archive, windowKey, windowOpenedBy(opening, ruleId, terms, eventId, undefined), { ifNoneMatch: '*' });
      if (created.written) return opening;
      known = created.reason === 'PreconditionFailed';
      continue;
    }
    const read = await readJsonObject(archive, windowKey);
    if (read === undefined) {
      known = false; // deleted in between: create it
      continue;
    }
    const stored = isStoredWindow(read.json) ? read.json : undefined;
    if (stored) {
      // A retry of an event that opened this window or an earlier one (current or expired): its alert may never have
      // been claimed (the invocation died after the window write). Alert again, with the same fields; deliverAlert
      // makes it a duplicate if it was published after all.
      const opened = [openingAlertOf(stored), ...(stored.earlierOpeners ?? [])].find((opener) => opener.eventId === eventId);
      if (opened) {
        return {
          action: 'alert',
          window: opened.window,
          suppressedSinceLastAlert: opened.suppressedSinceLastAlert,
          ...(opened.previousWindow ? { previousWindow: opened.previousWindow } : {}),
        };
      }
      if (now.getTime() < Date.parse(stored.window.end) && stored.counted.includes(eventId)) {
        return { action: 'suppress', window: stored.window, alreadyCounted: true };
      }
    }
    const decision = decideSuppression(stored?.window, now, duration, key);
    const next: StoredSuppressionWindow =
      decision.action === 'alert'
        ? windowOpenedBy(decision, ruleId, terms, eventId, stored)
        : { ...(stored as StoredSuppressionWindow), window: decision.window, counted: [...(stored as StoredSuppressionWindow).counted, eventId].slice(-MAX_COUNTED_IDS) };
    const written = await conditionalPut(archive, windowKey, next, { ifMatch: read.etag });
    if (written.written) return decision;
    known = written.reason !== 'NoSuchKey'; // 412/409: changed, read again; 404: deleted, create it
  }
  throw new Error(`Could not update the suppression window ${windowKey} after ${MAX_WINDOW_ROUNDS} rounds of contention; Lambda will retry`);
}

/** The window an alerting event opens: after `stored` (the expired one it follows), or the first of its key. */
function windowOpenedBy(
  decision: Extract<SuppressionDecision, { action: 'alert' }>,
  ruleId: string,
  terms: readonly SuppressionTerm[],
  eventId: string,
  stored: StoredSuppressionWindow | undefined,
): StoredSuppressionWindow {
  return {
    format: 'cloudtrail-stream-detector/suppression-window/v1',
    ruleId,
    terms,
    window: decision.window,
    openedBy: eventId,
    ...(decision.previousWindow ? { previous: decision.previousWindow } : {}),
    counted: [],
    earlierOpeners: stored ? [...(stored.earlierOpeners ?? []), openingAlertOf(stored)].slice(-MAX_EARLIER_OPENERS) : [],
  };
}

/** What the alert of the event that opened `stored` said (withSuppressionFields uses the window's start and end). */
function openingAlertOf(stored: StoredSuppressionWindow): OpeningAlert {
  return {
    eventId: stored.openedBy,
    window: stored.window,
    suppressedSinceLastAlert: stored.previous?.suppressedCount ?? 0,
    ...(stored.previous ? { previousWindow: stored.previous } : {}),
  };
}

function isStoredWindow(json: unknown): json is StoredSuppressionWindow {
  const candidate = json as Partial<StoredSuppressionWindow> | undefined;
  return (
    candidate?.format === 'cloudtrail-stream-detector/suppression-window/v1' &&
    typeof candidate.window?.end === 'string' &&
    typeof candidate.openedBy === 'string' &&
    Array.isArray(candidate.counted) &&
    (candidate.earlierOpeners === undefined || Array.isArray(candidate.earlierOpeners))
  );
}

/**
 * One CloudWatch Embedded Metric Format line: CloudWatch Logs turns it into a metric datapoint (value 1, unit Count)
 * in `CloudTrailStreamDetector`, with the given dimensions; `properties` are kept in the log event only.
 */
export function emfLine(metric: string, dimensions: Readonly<Record<string, string>>, properties: Readonly<Record<string, string>> = {}): string {
  return `${JSON.stringify({
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: [Object.keys(dimensions)], Metrics: [{ Name: metric, Unit: 'Count' }] }],
    },
    ...properties,
    ...dimensions,
    [metric]: 1,
  })}\n`;
}

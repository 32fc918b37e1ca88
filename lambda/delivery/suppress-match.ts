import { withSuppressionFields } from '../../src/engine/alerts/suppression-fields';
import type { Detection } from '../../src/engine/detector';
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
  type ClassifiedArchiveObject,
  type SuppressedMatch,
  type SuppressedState,
} from './archive-alert';
import { deliverAlert, throwIfClaimHeld, type AlertDelivery, type DeliveredAlert } from './deliver-alert';

export type { SuppressedMatch, SuppressedState } from './archive-alert';

/** CloudWatch namespace of the Embedded Metric Format lines (docs/exceptions.md). */
export const METRIC_NAMESPACE = 'CloudTrailStreamDetector';

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
  const archiveKey = alertArchiveKey(delivery.archive.prefix, rule.ruleId, eventId);
  const fields = { ruleId: rule.ruleId, eventId, archiveKey };
  const writeMetric = handling.writeMetric ?? ((line: string) => void process.stdout.write(line));

  const excepted = findMatchingException(handling.exceptions.get(rule.ruleId) ?? [], detection.document, receivedAt);
  if (excepted) {
    const { list, item } = excepted;
    const record: SuppressedMatch = {
      format: ARCHIVE_FORMAT,
      state: 'suppressed_by_exception',
      ruleId: rule.ruleId,
      eventId,
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

  const terms = suppressionTerms(rule, detection.document);
  if (!rule.alertSuppression || !terms) return deliverAlert(detection, delivery, log, requestId);
  const key = suppressionKeyFromTerms(rule.ruleId, terms);

  // A redelivered event meets its own archive object. Whatever it is (published, claimed, publish_failed, or a
  // suppressed_* record), deliverAlert decides with the shared classifier, on the alert as first archived: a
  // suppressed match stays suppressed, a published one is a duplicate, a claim is taken over or waited for.
  const existing = await readJsonObject(delivery.archive, archiveKey);
  const found = existing && classifyArchiveObject(existing, fields);
  if (found && found.kind !== 'unrecognised') return deliverAlert({ ...detection, alert: found.record.alert }, delivery, log, requestId);

  const windowKey = `${handling.suppressionPrefix}${safeKeySegment(rule.ruleId)}/${key}.json`;
  const decision = await stepWindow(delivery.archive, windowKey, rule.ruleId, terms, key, eventId, receivedAt, rule.alertSuppression.duration);
  if (decision.action === 'alert') {
    const alert = withSuppressionFields(detection.alert, terms, decision.window, decision.suppressedSinceLastAlert, decision.previousWindow);
    return deliverAlert({ ...detection, alert }, delivery, log, requestId);
  }
  const record: SuppressedMatch = {
    format: ARCHIVE_FORMAT,
    state: 'suppressed_by_window',
    ruleId: rule.ruleId,
    eventId,
    requestId,
    suppressedAt: new Date().toISOString(),
    suppression: { key, terms, start: decision.window.start, end: decision.window.end, windowKey },
    alert: detection.alert,
  };
  for (let round = 0; round < MAX_ARCHIVE_ROUNDS; round++) {
    const written = await conditionalPut(delivery.archive, archiveKey, record, { ifNoneMatch: '*' });
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
    const current = await readJsonObject(delivery.archive, archiveKey);
    if (current === undefined) continue; // Deleted in between: create it again.
    const occupant = classifyArchiveObject(current, fields);
    if (occupant.kind === 'suppressed') {
      log.info('duplicate suppressed', { ...fields, state: occupant.record.state, suppressedBy: occupant.record.requestId });
      return { ...fields, outcome: 'duplicate_suppressed' };
    }
    // Anything else (published, a claim of an earlier attempt, a raw alert of an older version) may be an alert
    // nobody has published yet: suppressing it would lose it. deliverAlert publishes it once (or finds it published).
    log.warn('match falls in a suppression window but its archive key holds an alert; delivering it', {
      ...fields,
      windowKey,
      archivedState: occupant.kind,
      ...(occupant.kind === 'unrecognised' ? { unrecognised: occupant.reason } : {}),
    });
    return deliverAlert({ ...detection, alert: occupant.kind === 'unrecognised' ? detection.alert : occupant.record.alert }, delivery, log, requestId);
  }
  throw new Error(`Could not archive the suppressed match of rule ${rule.ruleId} for event ${eventId} at ${archiveKey} after ${MAX_ARCHIVE_ROUNDS} rounds of contention; Lambda will retry`);
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
  fields: { readonly ruleId: string; readonly eventId: string; readonly archiveKey: string },
): Promise<HandledMatch> {
  const { archiveKey } = fields;
  for (let round = 0; round < MAX_ARCHIVE_ROUNDS; round++) {
    const created = await conditionalPut(delivery.archive, archiveKey, record, { ifNoneMatch: '*' });
    if (created.written) return { ...fields, outcome: 'suppressed_by_exception' };
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
  for (let round = 0; round < MAX_WINDOW_ROUNDS; round++) {
    const read = await readJsonObject(archive, windowKey);
    const stored = isStoredWindow(read?.json) ? read.json : undefined;
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
        ? {
            format: 'cloudtrail-stream-detector/suppression-window/v1',
            ruleId,
            terms,
            window: decision.window,
            openedBy: eventId,
            ...(decision.previousWindow ? { previous: decision.previousWindow } : {}),
            counted: [],
            earlierOpeners: stored ? [...(stored.earlierOpeners ?? []), openingAlertOf(stored)].slice(-MAX_EARLIER_OPENERS) : [],
          }
        : { ...(stored as StoredSuppressionWindow), window: decision.window, counted: [...(stored as StoredSuppressionWindow).counted, eventId].slice(-MAX_COUNTED_IDS) };
    const written = await conditionalPut(archive, windowKey, next, read ? { ifMatch: read.etag } : { ifNoneMatch: '*' });
    if (written.written) return decision;
  }
  throw new Error(`Could not update the suppression window ${windowKey} after ${MAX_WINDOW_ROUNDS} rounds of contention; Lambda will retry`);
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

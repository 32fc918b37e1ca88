import type { AlertDocument } from '../../src/engine/alerts/alert-types';
import { withSuppressionFields } from '../../src/engine/alerts/suppression-fields';
import type { Detection } from '../../src/engine/detector';
import {
  decideSuppression,
  findMatchingException,
  suppressionKey,
  suppressionTerms,
  type ExceptionList,
  type SuppressionDecision,
  type SuppressionTerm,
  type SuppressionWindow,
} from '../../src/engine/exceptions';
import type { Logger } from '../log';
import { alertArchiveKey, ARCHIVE_FORMAT, conditionalPut, readJsonObject, safeKeySegment, type AlertArchive } from './archive-alert';
import { deliverAlert, type AlertDelivery, type DeliveredAlert } from './deliver-alert';

/** CloudWatch namespace of the Embedded Metric Format lines (docs/exceptions.md). */
export const METRIC_NAMESPACE = 'CloudTrailStreamDetector';

/** Where a match that was not published is recorded: the same archive key its alert would have had. */
export type SuppressedState = 'suppressed_by_exception' | 'suppressed_by_window';

/** The JSON stored at `alerts/<rule>/<event>.json` for a match that was not published (same format marker). */
export interface SuppressedMatch {
  readonly format: typeof ARCHIVE_FORMAT;
  readonly state: SuppressedState;
  readonly ruleId: string;
  readonly eventId: string;
  readonly requestId: string;
  readonly suppressedAt: string;
  /** For `suppressed_by_exception`: the exception item that matched. */
  readonly exception?: { readonly listId: string; readonly itemId: string; readonly itemName: string; readonly owner: string; readonly expireTime?: string };
  /** For `suppressed_by_window`: the suppression window (stored at `suppressionWindowKey`) the match was counted in. */
  readonly suppression?: { readonly key: string; readonly terms: readonly SuppressionTerm[]; readonly start: string; readonly end: string; readonly windowKey: string };
  readonly alert: AlertDocument;
}

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
const MAX_COUNTED_IDS = 200;

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
    const written = await conditionalPut(delivery.archive, archiveKey, record, { ifNoneMatch: '*' });
    if (!written.written) {
      // A redelivery: the match is archived (and was counted) already.
      log.info('duplicate suppressed', { ...fields, state: 'suppressed_by_exception' });
      return { ...fields, outcome: 'duplicate_suppressed' };
    }
    writeMetric(emfLine('SuppressedByException', { RuleId: rule.ruleId, ExceptionItemId: item.itemId }, { ExceptionListId: list.listId, EventId: eventId }));
    log.info('match suppressed by exception', { ...fields, exceptionListId: list.listId, exceptionItemId: item.itemId, exceptionItemName: item.name });
    return { ...fields, outcome: 'suppressed_by_exception' };
  }

  const terms = suppressionTerms(rule, detection.document);
  const key = suppressionKey(rule, detection.document);
  if (!rule.alertSuppression || !terms || !key) return deliverAlert(detection, delivery, log, requestId);

  // A redelivered event meets its own archive object: a suppressed match stays suppressed, an alert goes on with
  // the alert as first archived (deliverAlert then finds it published, or takes over a stale claim).
  const existing = await readJsonObject(delivery.archive, archiveKey);
  const existingState = (existing?.json as { state?: unknown } | undefined)?.state;
  if (existingState === 'suppressed_by_window' || existingState === 'suppressed_by_exception') {
    log.info('duplicate suppressed', { ...fields, state: existingState });
    return { ...fields, outcome: 'duplicate_suppressed' };
  }
  const archivedAlert = (existing?.json as { alert?: AlertDocument } | undefined)?.alert;
  if (existing && archivedAlert) return deliverAlert({ ...detection, alert: archivedAlert }, delivery, log, requestId);

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
  const written = await conditionalPut(delivery.archive, archiveKey, record, { ifNoneMatch: '*' });
  if (written.written && !decision.alreadyCounted) {
    writeMetric(emfLine('SuppressedByWindow', { RuleId: rule.ruleId }, { EventId: eventId }));
  }
  log.info('match suppressed by alert suppression', {
    ...fields,
    windowKey,
    windowStart: decision.window.start,
    windowEnd: decision.window.end,
    suppressedCount: decision.window.suppressedCount,
  });
  return { ...fields, outcome: 'suppressed_by_window' };
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
    if (stored && now.getTime() < Date.parse(stored.window.end)) {
      if (stored.openedBy === eventId) {
        // The retry of the alert that opened this window: alert again, with the same fields.
        return {
          action: 'alert',
          window: stored.window,
          suppressedSinceLastAlert: stored.previous?.suppressedCount ?? 0,
          ...(stored.previous ? { previousWindow: stored.previous } : {}),
        };
      }
      if (stored.counted.includes(eventId)) return { action: 'suppress', window: stored.window, alreadyCounted: true };
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
          }
        : { ...(stored as StoredSuppressionWindow), window: decision.window, counted: [...(stored as StoredSuppressionWindow).counted, eventId].slice(-MAX_COUNTED_IDS) };
    const written = await conditionalPut(archive, windowKey, next, read ? { ifMatch: read.etag } : { ifNoneMatch: '*' });
    if (written.written) return decision;
  }
  throw new Error(`Could not update the suppression window ${windowKey} after ${MAX_WINDOW_ROUNDS} rounds of contention; Lambda will retry`);
}

function isStoredWindow(json: unknown): json is StoredSuppressionWindow {
  const candidate = json as Partial<StoredSuppressionWindow> | undefined;
  return (
    candidate?.format === 'cloudtrail-stream-detector/suppression-window/v1' &&
    typeof candidate.window?.end === 'string' &&
    typeof candidate.openedBy === 'string' &&
    Array.isArray(candidate.counted)
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

function alertEventId(alert: AlertDocument, ruleId: string): string {
  const event = alert.event;
  const id = typeof event === 'object' && event !== null ? (event as { id?: unknown }).id : undefined;
  if (typeof id !== 'string' || id === '') throw new Error(`Alert of rule ${ruleId} has no event.id: cannot archive it under a stable key`);
  return id;
}

/**
 * What an alert archive object says (docs/delivery.md, "Object format"): the record the delivery protocol writes at
 * `alerts/<rule>/<event>[/<alert key>].json`, and the one classifier of it. Pure: the Lambda reads and writes the
 * objects (lambda/delivery/archive-alert.ts), the CLI lists them to find alerts never delivered (`redrive
 * --undelivered-alerts`).
 */
import type { SuppressionTerm } from '../exceptions';
import type { AlertDocument } from './alert-types';

/** Marks the archive objects written by this version of the delivery protocol (docs/delivery.md). */
export const ARCHIVE_FORMAT = 'cloudtrail-stream-detector/archived-alert/v1';

/**
 * - `claimed`: an invocation is publishing (or crashed while publishing) this alert.
 * - `publish_failed`: the publish failed and the invocation gave the claim back; anyone may take it over at once.
 * - `published`: SNS accepted the alert; every later delivery of the same event is a duplicate.
 */
export type DeliveryState = 'claimed' | 'publish_failed' | 'published';

/** The JSON stored at `alertArchiveKey(...)`: delivery bookkeeping plus the full (untruncated) alert document. */
export interface ArchivedAlert {
  readonly format: typeof ARCHIVE_FORMAT;
  readonly state: DeliveryState;
  readonly ruleId: string;
  readonly eventId: string;
  /** Which of the rule's alerts on the event (new_terms: the term, threshold: the group); absent for a query rule. */
  readonly alertKey?: string;
  /** The Lambda request id of the invocation that holds (or last held) the claim. */
  readonly requestId: string;
  /** ISO 8601; when that invocation claimed the alert. The lease runs from here. */
  readonly claimedAt: string;
  readonly publishedAt?: string;
  readonly snsMessageId?: string;
  readonly failedAt?: string;
  readonly failure?: string;
  /** The claim this one replaced (stale lease, failed publish, own earlier attempt, or an object of unknown format). */
  readonly tookOver?: { readonly state: string; readonly requestId?: string; readonly claimedAt?: string };
  /**
   * On a `claimed` object of a rule with alert suppression: taken before its suppression window was consulted, so the
   * match may still be archived as `suppressed_by_window` instead of published (docs/delivery.md).
   */
  readonly awaitingWindow?: true;
  readonly alert: AlertDocument;
}

/** States of a match that was not published, stored at the key its alert would have had (docs/exceptions.md). */
export type SuppressedState = 'suppressed_by_exception' | 'suppressed_by_window';

/** The JSON stored at `alerts/<rule>/<event>.json` for a match that was not published (same format marker). */
export interface SuppressedMatch {
  readonly format: typeof ARCHIVE_FORMAT;
  readonly state: SuppressedState;
  readonly ruleId: string;
  readonly eventId: string;
  readonly alertKey?: string;
  readonly requestId: string;
  readonly suppressedAt: string;
  /** For `suppressed_by_exception`: the exception item that matched. */
  readonly exception?: { readonly listId: string; readonly itemId: string; readonly itemName: string; readonly owner: string; readonly expireTime?: string };
  /** For `suppressed_by_window`: the suppression window (stored at `suppressionWindowKey`) the match was counted in. */
  readonly suppression?: { readonly key: string; readonly terms: readonly SuppressionTerm[]; readonly start: string; readonly end: string; readonly windowKey: string };
  /** The object this record replaced (an earlier attempt's claim, when an exception was deployed in between). */
  readonly replaced?: { readonly state: string; readonly requestId?: string };
  readonly alert: AlertDocument;
}

export interface StoredJsonObject {
  readonly etag: string;
  /** The parsed body; `undefined` when it is not JSON (`isJson: false`). */
  readonly json: unknown;
  readonly isJson: boolean;
}

/**
 * What an object at an alert's archive key means for a delivery of that (rule, event): the one classification both
 * the delivery (deliverAlert) and the exception / suppression path (handleMatch) act on (docs/delivery.md).
 * - `published`: SNS has the alert; nothing more to do.
 * - `suppressed`: `suppressed_by_exception` / `suppressed_by_window` for the same rule and event: the match was
 *   deliberately not published; a redelivery must not publish it either.
 * - `claimed` / `publish_failed`: a delivery (ours, another one, or a dead one) is or was under way.
 * - `unrecognised`: anything else (not JSON, another format, a raw alert archived by an older version, a record of
 *   another rule or event): nobody is known to have published it, so a delivery takes it over.
 */
export type ClassifiedArchiveObject =
  | { readonly kind: 'published' | 'claimed' | 'publish_failed'; readonly record: ArchivedAlert }
  | { readonly kind: 'suppressed'; readonly record: SuppressedMatch }
  | { readonly kind: 'unrecognised'; readonly reason: string };

export function classifyArchiveObject(
  stored: StoredJsonObject,
  expected: { readonly ruleId: string; readonly eventId: string; readonly alertKey?: string },
): ClassifiedArchiveObject {
  if (!stored.isJson) return { kind: 'unrecognised', reason: 'not JSON' };
  const candidate = stored.json as Partial<Record<'format' | 'state' | 'ruleId' | 'eventId' | 'alertKey' | 'requestId' | 'claimedAt' | 'suppressedAt', unknown>> | null;
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate) || candidate.format !== ARCHIVE_FORMAT) {
    return { kind: 'unrecognised', reason: 'JSON that is not an archived alert of this format' };
  }
  if (candidate.ruleId !== expected.ruleId || candidate.eventId !== expected.eventId || (candidate.alertKey ?? '') !== (expected.alertKey ?? '')) {
    const alert = candidate.alertKey === undefined ? '' : ` / alert ${String(candidate.alertKey)}`;
    return { kind: 'unrecognised', reason: `an archived record of rule ${String(candidate.ruleId)} / event ${String(candidate.eventId)}${alert}` };
  }
  const state = candidate.state as string | undefined;
  if ((state === 'suppressed_by_exception' || state === 'suppressed_by_window') && typeof candidate.suppressedAt === 'string') {
    return { kind: 'suppressed', record: candidate as unknown as SuppressedMatch };
  }
  if (
    (state === 'claimed' || state === 'publish_failed' || state === 'published') &&
    typeof candidate.requestId === 'string' &&
    typeof candidate.claimedAt === 'string'
  ) {
    return { kind: state, record: candidate as unknown as ArchivedAlert };
  }
  return { kind: 'unrecognised', reason: `an archived record in an unknown or incomplete state (${String(state)})` };
}

/** The rule, event and alert key an archive record names for itself. */
export interface ArchiveIdentity {
  readonly ruleId: string;
  readonly eventId: string;
  readonly alertKey?: string;
}

/**
 * What an object of the archive format says it is for, or undefined when it is not one: for a reader that has only the
 * object (`redrive --undelivered-alerts`, the re-delivery request), not the match it belongs to.
 */
export function archivedIdentity(json: unknown): ArchiveIdentity | undefined {
  const named = json as { format?: unknown; ruleId?: unknown; eventId?: unknown; alertKey?: unknown } | null | undefined;
  if (typeof named !== 'object' || named === null || Array.isArray(named) || named.format !== ARCHIVE_FORMAT) return undefined;
  if (typeof named.ruleId !== 'string' || typeof named.eventId !== 'string') return undefined;
  if (named.alertKey !== undefined && typeof named.alertKey !== 'string') return undefined;
  return { ruleId: named.ruleId, eventId: named.eventId, ...(named.alertKey ? { alertKey: named.alertKey } : {}) };
}

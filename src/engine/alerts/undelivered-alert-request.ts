/**
 * The second kind of invocation the detector function accepts: "re-deliver this archived alert" (docs/redrive.md,
 * "Re-delivering undelivered alerts"). It comes only from a direct `lambda:InvokeFunction` (the `redrive
 * --undelivered-alerts` command): the stack's EventBridge rules match CloudTrail detail-types only, so no event of an
 * event bus can take this shape on its way to the function.
 *
 * ```json
 * {"source":"cloudtrail-stream-detector","detail-type":"Undelivered Alert","detail":{"archiveKey":"alerts/<rule>/<event>.json"}}
 * ```
 */

export const UNDELIVERED_ALERT_SOURCE = 'cloudtrail-stream-detector';
export const UNDELIVERED_ALERT_DETAIL_TYPE = 'Undelivered Alert';
/** S3's own limit on a key. */
const MAX_ARCHIVE_KEY_BYTES = 1024;
/** What `safeKeySegment` writes: ids reduced to these characters (a changed id gets `--<hash>`). */
const ARCHIVE_KEY_SEGMENT = /^[A-Za-z0-9._-]+$/;

export interface UndeliveredAlertRequest {
  readonly source: typeof UNDELIVERED_ALERT_SOURCE;
  readonly 'detail-type': typeof UNDELIVERED_ALERT_DETAIL_TYPE;
  readonly detail: { readonly archiveKey: string };
}

export function undeliveredAlertRequest(archiveKey: string): UndeliveredAlertRequest {
  return { source: UNDELIVERED_ALERT_SOURCE, 'detail-type': UNDELIVERED_ALERT_DETAIL_TYPE, detail: { archiveKey } };
}

/** True when the payload says it is such a request (its `source` and `detail-type`), whatever its detail holds. */
export function isUndeliveredAlertRequest(event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  const envelope = event as { source?: unknown; 'detail-type'?: unknown };
  return envelope.source === UNDELIVERED_ALERT_SOURCE && envelope['detail-type'] === UNDELIVERED_ALERT_DETAIL_TYPE;
}

/**
 * The archive key a request names, or why it is refused. Only a key the delivery protocol itself could have written
 * is accepted: under the archive prefix, `<rule>/<event>.json` or `<rule>/<event>/<alert key>.json` with the
 * characters `safeKeySegment` leaves, no `.` or `..` segment, at most S3's 1,024 bytes. Anything else (another folder
 * of the bucket, a suppression window, a path trick) is not an alert of this detector.
 */
export function undeliveredAlertKey(event: unknown, archivePrefix: string): { readonly archiveKey: string } | { readonly problem: string } {
  const detail = (event as { detail?: unknown }).detail;
  const archiveKey = typeof detail === 'object' && detail !== null ? (detail as { archiveKey?: unknown }).archiveKey : undefined;
  if (typeof archiveKey !== 'string' || archiveKey === '') return { problem: 'detail.archiveKey must be a non-empty string' };
  if (Buffer.byteLength(archiveKey, 'utf8') > MAX_ARCHIVE_KEY_BYTES) return { problem: `detail.archiveKey is longer than S3's ${MAX_ARCHIVE_KEY_BYTES} bytes` };
  if (!archiveKey.startsWith(archivePrefix)) return { problem: `detail.archiveKey is not under the alert archive prefix "${archivePrefix}"` };
  if (!archiveKey.endsWith('.json')) return { problem: 'detail.archiveKey does not end in .json' };
  const segments = archiveKey.slice(archivePrefix.length, -'.json'.length).split('/');
  if (segments.length < 2 || segments.length > 3) return { problem: 'detail.archiveKey is not <prefix><rule>/<event>[/<alert key>].json' };
  if (segments.some((segment) => !ARCHIVE_KEY_SEGMENT.test(segment) || /^\.+$/.test(segment))) {
    return { problem: 'detail.archiveKey has a segment that is empty, "." or "..", or holds characters archive keys never hold' };
  }
  return { archiveKey };
}

import { createHash } from 'node:crypto';

/**
 * Remembers which (rule, event) pairs already alerted in this run, so a record that appears in several files (a
 * trail file and an EventBridge capture, or overlapping downloads) alerts once. Only keys are kept, never alerts.
 *
 * The event is the record's CloudTrail eventID, AWS's primary key for an event and the source of `event.id`. It is
 * read from the record rather than from the alert because for a record without eventID the normalizer falls back to
 * the EventBridge envelope id, which differs per delivery. Records without eventID are keyed by their content with
 * object keys sorted, not by the alert uuid: that uuid is derived from the raw text, so the same record written with
 * different spacing or key order would otherwise alert twice.
 */
export class AlertDeduplicator {
  private readonly seen = new Set<string>();

  /** True the first time a rule fires for an event, false for every repeat. */
  isFirst(ruleId: string, record: object): boolean {
    const key = `${ruleId}\u0000${eventKey(record)}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }
}

function eventKey(record: object): string {
  const eventId = (record as { eventID?: unknown }).eventID;
  if (typeof eventId === 'string' && eventId !== '') return `id:${eventId}`;
  return `content:${createHash('sha256').update(canonicalJson(record)).digest('hex')}`;
}

/** JSON with object keys sorted at every level, so equal content gives equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

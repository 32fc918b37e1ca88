import { createHash, type Hash } from 'node:crypto';

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

  /**
   * True the first time a rule fires for an event, false for every repeat. `alertKey` tells apart the several alerts
   * one new_terms or threshold rule can raise on one event (one per term or group); '' for a query rule.
   */
  isFirst(ruleId: string, record: object, alertKey = ''): boolean {
    const key = `${ruleId}\u0000${eventKey(record)}\u0000${alertKey}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }
}

function eventKey(record: object): string {
  const eventId = (record as { eventID?: unknown }).eventID;
  if (typeof eventId === 'string' && eventId !== '') return `id:${eventId}`;
  return `content:${canonicalJsonHash(record)}`;
}

/**
 * SHA-256 of the value's JSON with object keys sorted at every level, so equal content gives equal hashes. Walks the
 * value with an explicit stack, never recursion: a record nested thousands of levels deep (JSON.parse accepts any
 * depth) must not overflow the call stack and stop the scan.
 */
export function canonicalJsonHash(value: unknown): string {
  const hash = createHash('sha256');
  // Work items: a value to write, or literal text (separators and closing brackets) to write.
  const stack: ({ readonly value: unknown } | string)[] = [{ value }];
  while (stack.length > 0) {
    const item = stack.pop() as { readonly value: unknown } | string;
    if (typeof item === 'string') hash.update(item);
    else pushValue(item.value, stack, hash);
  }
  return hash.digest('hex');
}

function pushValue(value: unknown, stack: ({ readonly value: unknown } | string)[], hash: Hash): void {
  if (Array.isArray(value)) {
    hash.update('[');
    stack.push(']');
    for (let index = value.length - 1; index >= 0; index -= 1) {
      stack.push({ value: value[index] });
      if (index > 0) stack.push(',');
    }
    return;
  }
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).sort();
    hash.update('{');
    stack.push('}');
    for (let index = keys.length - 1; index >= 0; index -= 1) {
      const key = keys[index] as string;
      stack.push({ value: (value as Record<string, unknown>)[key] });
      stack.push(`${index > 0 ? ',' : ''}${JSON.stringify(key)}:`);
    }
    return;
  }
  hash.update(JSON.stringify(value) ?? 'null');
}

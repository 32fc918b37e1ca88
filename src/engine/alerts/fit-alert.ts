import type { AlertDocument } from './alert-types';
import { truncate } from './sanitize-text';

/** Fields that can be large and may be shortened, least useful first. */
const SHRINKABLE_TEXT_FIELDS = [
  ['event', 'original'],
  ['aws', 'cloudtrail', 'response_elements'],
  ['aws', 'cloudtrail', 'request_parameters'],
  ['aws', 'cloudtrail', 'additional_eventdata'],
  ['aws', 'cloudtrail', 'service_event_details'],
] as const;

const DROPPABLE_OBJECTS = [
  ['aws', 'cloudtrail', 'flattened', 'response_elements'],
  ['aws', 'cloudtrail', 'flattened', 'service_event_details'],
  ['aws', 'cloudtrail', 'flattened', 'additional_eventdata'],
  ['aws', 'cloudtrail', 'flattened', 'request_parameters'],
] as const;

export const TRUNCATION_MARKER_FIELD = 'truncated_fields';

/**
 * Returns the alert unchanged when its JSON fits `maxBytes`; otherwise a copy with the bulkiest event fields cut
 * (each cut leaves a visible marker and is listed in `kibana.alert.truncated_fields`). The alert is never dropped:
 * rule, severity, actor and target fields are small and always kept.
 */
export function fitAlert(alert: AlertDocument, maxBytes: number): AlertDocument {
  if (jsonBytes(alert) <= maxBytes) return alert;
  const copy = structuredClone(alert) as Record<string, unknown>;
  const truncated: string[] = [];
  for (const budget of [16384, 4096, 1024, 256]) {
    for (const path of SHRINKABLE_TEXT_FIELDS) {
      const parent = parentOf(copy, path);
      const key = path[path.length - 1];
      const value = parent?.[key];
      if (typeof value === 'string' && value.length > budget) {
        parent![key] = truncate(value, budget);
        if (!truncated.includes(path.join('.'))) truncated.push(path.join('.'));
      }
    }
    markTruncated(copy, truncated);
    if (jsonBytes(copy) <= maxBytes) return copy;
  }
  for (const path of DROPPABLE_OBJECTS) {
    const parent = parentOf(copy, path);
    const key = path[path.length - 1];
    if (parent && key in parent) {
      delete parent[key];
      truncated.push(`${path.join('.')} (removed)`);
      markTruncated(copy, truncated);
      if (jsonBytes(copy) <= maxBytes) return copy;
    }
  }
  return minimalAlert(copy, truncated);
}

/** Last resort for an event whose every field is huge: keep ids, rule and the key facts, each capped. */
function minimalAlert(alert: Record<string, unknown>, truncated: string[]): AlertDocument {
  const cap = (value: unknown): unknown => (typeof value === 'string' ? truncate(value, 512) : value);
  const pick = (object: unknown, keys: string[]): Record<string, unknown> => {
    const source = (object ?? {}) as Record<string, unknown>;
    return Object.fromEntries(keys.filter((key) => key in source).map((key) => [key, cap(source[key])]));
  };
  const kibana = (alert.kibana as { alert: Record<string, unknown> }).alert;
  const rule = kibana.rule as Record<string, unknown>;
  return {
    '@timestamp': alert['@timestamp'],
    event: pick(alert.event, ['kind', 'action', 'provider', 'outcome', 'id', 'dataset', 'created', 'ingested']),
    cloud: structuredCloneCapped(alert.cloud, cap),
    user: structuredCloneCapped(alert.user, cap),
    source: pick(alert.source, ['address', 'ip']),
    kibana: {
      alert: {
        ...pick(kibana, ['uuid', 'original_time', 'severity', 'risk_score', 'reason', 'status', 'workflow_status']),
        rule: pick(rule, ['rule_id', 'name', 'description', 'severity', 'risk_score', 'references', 'threat']),
        [TRUNCATION_MARKER_FIELD]: [...truncated, 'everything else (only key fields kept)'],
      },
    },
  };
}

function structuredCloneCapped(value: unknown, cap: (value: unknown) => unknown): unknown {
  if (typeof value !== 'object' || value === null) return cap(value);
  if (Array.isArray(value)) return value.slice(0, 20).map((item) => structuredCloneCapped(item, cap));
  return Object.fromEntries(Object.entries(value).slice(0, 20).map(([key, item]) => [key.slice(0, 100), structuredCloneCapped(item, cap)]));
}

function markTruncated(alert: Record<string, unknown>, truncated: string[]): void {
  if (truncated.length === 0) return;
  const kibana = (alert.kibana as { alert: Record<string, unknown> }).alert;
  kibana[TRUNCATION_MARKER_FIELD] = [...truncated];
}

function parentOf(document: Record<string, unknown>, path: readonly string[]): Record<string, unknown> | undefined {
  let current: unknown = document;
  for (const key of path.slice(0, -1)) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'object' && current !== null ? (current as Record<string, unknown>) : undefined;
}

export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

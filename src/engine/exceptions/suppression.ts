import { createHash } from 'node:crypto';
import type { AlertSuppressionConfig, DetectionRule, SuppressionUnit } from '../rules/detection-rule';
import { compileFieldPath, someValueAt } from '../kql/document-access';

const UNIT_MS: Record<SuppressionUnit, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

export function suppressionDurationMs(duration: AlertSuppressionConfig['duration']): number {
  return duration.value * UNIT_MS[duration.unit];
}

/** One group_by field and its value(s) in an alert: `null` when missing, an array when the field has several values. */
export interface SuppressionTerm {
  readonly field: string;
  readonly value: string | number | boolean | null | readonly (string | number | boolean)[];
}

/**
 * The group_by values of an alert (Elastic's `kibana.alert.suppression.terms`), or undefined when the alert must
 * not be suppressed: the rule has no suppression, or a field is missing under `doNotSuppress`.
 * A field with several values groups by the sorted set of its values.
 */
export function suppressionTerms(
  rule: Pick<DetectionRule, 'ruleId' | 'alertSuppression'>,
  document: unknown,
): SuppressionTerm[] | undefined {
  const config = rule.alertSuppression;
  if (!config) return undefined;
  const terms: SuppressionTerm[] = [];
  for (const field of config.groupBy) {
    const values: (string | number | boolean)[] = [];
    someValueAt(document, compileFieldPath(field), (value) => {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') values.push(value);
      return false;
    });
    const unique = [...new Map(values.map((v) => [JSON.stringify(v), v])).entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, v]) => v);
    if (unique.length === 0) {
      if (config.missingFieldsStrategy === 'doNotSuppress') return undefined;
      terms.push({ field, value: null });
    } else {
      terms.push({ field, value: unique.length === 1 ? unique[0] : unique });
    }
  }
  return terms;
}

/**
 * A stable key (SHA-256, hex) of the rule id and the alert's group_by values: alerts with the same key are
 * suppressed together. Undefined when the alert must not be suppressed (see `suppressionTerms`).
 */
export function suppressionKey(rule: Pick<DetectionRule, 'ruleId' | 'alertSuppression'>, document: unknown): string | undefined {
  const terms = suppressionTerms(rule, document);
  if (!terms) return undefined;
  return suppressionKeyFromTerms(rule.ruleId, terms);
}

/** `suppressionKey` for terms already computed with `suppressionTerms` (same key, without reading the document again). */
export function suppressionKeyFromTerms(ruleId: string, terms: readonly SuppressionTerm[]): string {
  const canonical = JSON.stringify([ruleId, terms.map((term) => [term.field, term.value])]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** One suppression window, as stored between invocations (plain JSON, ISO timestamps). */
export interface SuppressionWindow {
  readonly key: string;
  /** When the alert that opened the window was raised. */
  readonly start: string;
  /** `start + duration`; the window covers [start, end). */
  readonly end: string;
  /** Matches suppressed since the window opened. */
  readonly suppressedCount: number;
}

export type SuppressionDecision =
  | {
      readonly action: 'alert';
      readonly window: SuppressionWindow;
      /** How many matches the previous window suppressed (0 when there was none): say so in this alert. */
      readonly suppressedSinceLastAlert: number;
      /** The previous window, when this alert closes one. */
      readonly previousWindow?: SuppressionWindow;
    }
  | { readonly action: 'suppress'; readonly window: SuppressionWindow };

/**
 * The suppression state machine, storage-agnostic: given the stored window for this key (or none), decides whether
 * a new match alerts or is suppressed, and returns the window to store.
 * - no window, or `now >= end`: alert, and open a new window [now, now + duration) with a count of 0;
 * - `now < end` (including a late event timed before `start`): suppress, and count it.
 * The store should write the returned window only if the stored one is still `previous` (a conditional write),
 * and retry the decision on conflict.
 */
export function decideSuppression(
  previous: SuppressionWindow | undefined,
  now: Date,
  duration: AlertSuppressionConfig['duration'] | number,
  key: string,
): SuppressionDecision {
  if (previous && previous.key !== key) {
    throw new Error(`suppression window for key ${previous.key} used for key ${key}`);
  }
  const durationMs = typeof duration === 'number' ? duration : suppressionDurationMs(duration);
  if (!(durationMs > 0)) throw new Error(`suppression duration must be positive, got ${durationMs} ms`);
  const at = now.getTime();
  if (previous && at < Date.parse(previous.end)) {
    return { action: 'suppress', window: { ...previous, suppressedCount: previous.suppressedCount + 1 } };
  }
  return {
    action: 'alert',
    window: { key, start: new Date(at).toISOString(), end: new Date(at + durationMs).toISOString(), suppressedCount: 0 },
    suppressedSinceLastAlert: previous ? previous.suppressedCount : 0,
    ...(previous ? { previousWindow: previous } : {}),
  };
}

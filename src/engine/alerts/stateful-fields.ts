import type { DetectionRule } from '../rules/detection-rule';
import { lookbackMs } from '../rules/validate-stateful-rule';
import type { ThresholdCrossing } from '../stateful/threshold';
import { alertUuid } from './alert-id';
import type { AlertDocument } from './alert-types';
import { getPath, getText } from './field-access';

/**
 * The fields a new_terms or threshold alert adds to the alert of its event (build-alert.ts):
 * - `kibana.alert.new_terms`: the new values, in the rule's field order, exactly as Elastic names it;
 * - `kibana.alert.threshold_result`: `{ terms: [{ field, value }], count, from, cardinality: [{ field, value }] }`, as
 *   Elastic names it;
 * - `kibana.alert.threshold_events`: what the engine adds for people: the ids of the events counted (at most 20),
 *   the first and last event time, and from how many source addresses;
 * - `kibana.alert.new_terms_baseline`: present while the rule's history window is not yet covered (docs/stateful-rules.md);
 * - `kibana.alert.uuid`: from the rule, the event and the term or group, so one event's several alerts of one rule
 *   keep apart, and a redelivery maps onto the same alert.
 */

/** What the detector knows of a new_terms rule's history when it raises an alert. */
export interface BaselineStatus {
  /** Epoch ms from which the state holds the rule's sightings. */
  readonly coveredSince: number;
}

export function withNewTermsFields(
  alert: AlertDocument,
  rule: DetectionRule,
  eventId: string,
  alertKey: string,
  values: readonly string[],
  baseline?: BaselineStatus,
): AlertDocument {
  const fields = rule.newTerms?.fields ?? [];
  const window = rule.newTerms?.historyWindowMs ?? 0;
  const eventTime = Date.parse(getText(alert, 'kibana.alert.original_time') ?? '');
  const incomplete = baseline !== undefined && !(eventTime - baseline.coveredSince >= window);
  return withKibanaAlert(alert, (kibanaAlert) => ({
    ...kibanaAlert,
    uuid: alertUuid(rule.ruleId, `${eventId}\u0000${alertKey}`),
    reason: `${capitalize(newTermsSentence(fields, values, alert, window))}.`,
    new_terms: [...values],
    ...(incomplete && baseline
      ? {
          new_terms_baseline: {
            complete: false,
            covered_since: new Date(baseline.coveredSince).toISOString(),
            history_window_start: rule.newTerms?.historyWindowStart,
          },
        }
      : {}),
  }));
}

export function withThresholdFields(
  alert: AlertDocument,
  rule: DetectionRule,
  eventId: string,
  alertKey: string,
  terms: readonly { readonly field: string; readonly value: string }[],
  crossing: ThresholdCrossing,
): AlertDocument {
  const [cardinality] = rule.threshold?.cardinality ?? [];
  const result = {
    terms: terms.map(({ field, value }) => ({ field, value })),
    count: crossing.count,
    from: new Date(crossing.from).toISOString(),
    ...(cardinality && crossing.distinct !== null ? { cardinality: [{ field: cardinality.field, value: crossing.distinct }] } : {}),
  };
  const events = {
    ids: [...crossing.eventIds],
    first: new Date(crossing.from).toISOString(),
    last: new Date(crossing.time).toISOString(),
    source_addresses: crossing.sources,
  };
  return withKibanaAlert(alert, (kibanaAlert) => ({
    ...kibanaAlert,
    uuid: alertUuid(rule.ruleId, `${eventId}\u0000${alertKey}`),
    reason: `${capitalize(thresholdSentence(rule, result, crossing.sources, alert))}.`,
    threshold_result: result,
    threshold_events: events,
  }));
}

/** `first time in 7 days: user alice in account 111122223333 called ec2:CreateKeyPair` */
export function newTermsSentence(fields: readonly string[], values: readonly string[], alert: AlertDocument, windowMs: number): string {
  return `first time in ${describeDuration(windowMs)}: ${describeTerms(fields, values)} called ${describeAction(alert)}`;
}

/** `12 failed signin:ConsoleLogin calls in 6 minutes in account 111122223333 from 3 addresses` */
export function thresholdSentence(
  rule: DetectionRule,
  result: { readonly terms: readonly { field: string; value: string }[]; readonly count: number; readonly cardinality?: readonly { field: string; value: number }[] },
  sources: number,
  alert: AlertDocument,
): string {
  const failed = getText(alert, 'event.outcome') === 'failure' ? 'failed ' : '';
  const calls = `${result.count} ${failed}${describeAction(alert)} ${result.count === 1 ? 'call' : 'calls'}`;
  const window = ` in ${describeDuration(rule.threshold?.windowMs ?? 0)}`;
  const group = result.terms.length > 0 ? ` ${describeTerms(result.terms.map((t) => t.field), result.terms.map((t) => t.value))}` : '';
  const groupedBySource = result.terms.some((term) => SOURCE_FIELDS.has(term.field));
  const from = sources > 0 && !groupedBySource ? ` from ${sources} ${sources === 1 ? 'address' : 'addresses'}` : '';
  const [distinct] = result.cardinality ?? [];
  const values = distinct ? `, ${distinct.value} distinct ${distinct.field}` : '';
  return `${calls}${window}${group}${from}${values}`;
}

const SOURCE_FIELDS = new Set(['source.ip', 'source.address']);

/** How a term's field reads in a sentence; people come first, the account last. */
const TERM_PHRASES: Readonly<Record<string, (value: string) => string>> = {
  'user.name': (v) => `user ${v}`,
  'user.id': (v) => `user id ${v}`,
  'aws.cloudtrail.user_identity.arn': (v) => `${v}`,
  'aws.cloudtrail.user_identity.access_key_id': (v) => `access key ${v}`,
  'aws.cloudtrail.user_identity.session_context.session_issuer.arn': (v) => `role ${v}`,
  'aws.cloudtrail.user_identity.type': (v) => `a ${v} identity`,
  'aws.cloudtrail.user_identity.invoked_by': (v) => `${v} on a caller's behalf`,
  'source.ip': (v) => `from ${v}`,
  'source.address': (v) => `from ${v}`,
  'source.as.organization.name': (v) => `from network ${v}`,
  'source.as.number': (v) => `from AS${v}`,
  'tls.client.server_name': (v) => `through endpoint ${v}`,
  'event.provider': (v) => `on service ${v}`,
  'aws.cloudtrail.resources.arn': (v) => `on resource ${v}`,
  'aws.cloudtrail.resources.account_id': (v) => `on a resource of account ${v}`,
  'entity.target.id': (v) => `on ${v}`,
};
const WHO_FIELDS = [
  'user.name',
  'user.id',
  'aws.cloudtrail.user_identity.arn',
  'aws.cloudtrail.user_identity.access_key_id',
  'aws.cloudtrail.user_identity.session_context.session_issuer.arn',
  'aws.cloudtrail.user_identity.type',
  'aws.cloudtrail.user_identity.invoked_by',
];

export function describeTerms(fields: readonly string[], values: readonly string[]): string {
  const pairs = fields.map((field, i) => ({ field, value: values[i] ?? '' }));
  const rank = (field: string): number => (WHO_FIELDS.includes(field) ? 0 : field === 'cloud.account.id' ? 2 : 1);
  return pairs
    .sort((a, b) => rank(a.field) - rank(b.field))
    .map(({ field, value }) => (field === 'cloud.account.id' ? `in account ${value}` : (TERM_PHRASES[field]?.(value) ?? `${field} ${value}`)))
    .join(' ');
}

function describeAction(alert: AlertDocument): string {
  const provider = getText(alert, 'event.provider')?.replace(/\.amazonaws\.com$/, '');
  const action = getText(alert, 'event.action');
  return [provider, action].filter(Boolean).join(':') || 'an API';
}

/** 6 minutes, 7 days, 90 seconds, 1 hour. */
export function describeDuration(ms: number): string {
  const units: [number, string][] = [
    [7 * 86_400_000, 'week'],
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms >= size && ms % size === 0) {
      const count = ms / size;
      // Elastic's windows are written in days: say "14 days" rather than "2 weeks".
      if (name === 'week') return `${count * 7} days`;
      return `${count} ${name}${count === 1 ? '' : 's'}`;
    }
  }
  return `${ms} ms`;
}

/** The baseline line of the e-mail, or undefined when the rule's history is complete. */
export function baselineNote(alert: AlertDocument): string | undefined {
  if (getPath(alert, 'kibana.alert.new_terms_baseline.complete') !== false) return undefined;
  const since = getText(alert, 'kibana.alert.new_terms_baseline.covered_since') ?? 'recently';
  const start = getText(alert, 'kibana.alert.new_terms_baseline.history_window_start');
  const windowMs = start === undefined ? undefined : lookbackMs(start);
  const window = windowMs === undefined ? 'history window' : `${describeDuration(windowMs)} it looks back`;
  return `Baseline incomplete: the detector has this rule's history only since ${since}, not the whole ${window}; the value may have been seen before that.`;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function withKibanaAlert(alert: AlertDocument, update: (kibanaAlert: Record<string, unknown>) => Record<string, unknown>): AlertDocument {
  const kibana = (typeof alert.kibana === 'object' && alert.kibana !== null ? alert.kibana : {}) as Record<string, unknown>;
  const kibanaAlert = (typeof kibana.alert === 'object' && kibana.alert !== null ? kibana.alert : {}) as Record<string, unknown>;
  return { ...alert, kibana: { ...kibana, alert: update(kibanaAlert) } };
}

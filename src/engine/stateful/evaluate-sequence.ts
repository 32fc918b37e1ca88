import type { EqlField } from '../eql/ast';
import type { KeyValue, SequenceMatcher } from '../eql/sequence';
import { applyReducer, type StateMachine } from '../state/apply-reducer';
import type { StateStore } from '../state/state-store';
import { distinctValues, MAX_COMBINATIONS_PER_EVENT } from './field-values';
import { SEQUENCE_LATENESS_MS } from './lateness';
import { sequenceMachine, type EventSummary, type FoundSequence, type SequenceInput, type SequenceOutput, type SequenceState } from './sequence';
import { feasibleKey } from './sequence-keys';
import { stateKey } from './state-keys';

/** One sequence an event completed (or revealed), under one join key. */
export interface SequenceFinding {
  readonly kind: 'sequence';
  /** The join key's fields (the sequence's `by`, then the stage's) and values, in order. */
  readonly key: readonly { readonly field: string; readonly value: KeyValue }[];
  readonly sequence: FoundSequence;
  /** A retry or redelivery of the event that found it: the same alert again, for delivery to drop. */
  readonly repeated: boolean;
}

/** A sequence rule ready to run on the state: its matcher and how far back its events must be kept. */
export interface SequenceRuleRuntime {
  readonly ruleId: string;
  readonly matcher: SequenceMatcher;
  /** maxspan, or without one the rule's lookback (`from`): Elastic's search never sees a longer sequence. */
  readonly spanMs: number;
  /** Fields an earlier step keeps for the alert besides the key fields and SUMMARY_FIELDS (the rule's investigation fields). */
  readonly summaryFields?: readonly string[];
  readonly machine: StateMachine<SequenceState, SequenceInput, SequenceOutput>;
}

export interface SequenceEvent {
  readonly eventId: string;
  /** The rule's timestamp (epoch ms). */
  readonly time: number;
  readonly tiebreaker: string | number | null;
}

export interface SequenceEvaluation {
  readonly findings: SequenceFinding[];
  /** Join keys beyond MAX_COMBINATIONS_PER_EVENT, not evaluated. */
  readonly truncated: number;
}

/** The fields every step of a sequence keeps for the alert (besides the key fields and the rule's investigation fields). */
export const SUMMARY_FIELDS: readonly string[] = [
  '@timestamp',
  'event.id',
  'event.action',
  'event.provider',
  'event.outcome',
  'event.category',
  'event.type',
  'source.ip',
  'source.address',
  'source.as.number',
  'source.as.organization.name',
  'source.geo.country_iso_code',
  'source.geo.city_name',
  'user_agent.original',
  'user.name',
  'user.id',
  'aws.cloudtrail.user_identity.arn',
  'aws.cloudtrail.user_identity.type',
  'aws.cloudtrail.user_identity.access_key_id',
  'aws.cloudtrail.user_identity.invoked_by',
  'aws.cloudtrail.user_identity.session_context.session_issuer.type',
  'aws.cloudtrail.user_identity.session_context.session_issuer.arn',
  'aws.cloudtrail.user_identity.session_context.session_issuer.account_id',
  'aws.cloudtrail.recipient_account_id',
  'aws.cloudtrail.error_code',
  'cloud.account.id',
  'cloud.region',
];
/** A summary value longer than this is cut (request parameters can be kilobytes; the step needs only a glimpse). */
const MAX_SUMMARY_TEXT = 256;
const MAX_SUMMARY_VALUES = 5;

export function sequenceRuntime(ruleId: string, matcher: SequenceMatcher, spanMs: number, summaryFields: readonly string[] = []): SequenceRuleRuntime {
  return { ruleId, matcher, spanMs, summaryFields, machine: sequenceMachine(matcher) };
}

/**
 * Runs one event through a sequence rule: each join key the event belongs to (with the stages it matches there) is
 * its own state item, so their reads and writes are independent and go out together.
 */
export async function evaluateSequenceRule(
  runtime: SequenceRuleRuntime,
  document: unknown,
  event: SequenceEvent,
  store: StateStore,
  options: { readonly latenessMs?: number } = {},
): Promise<SequenceEvaluation> {
  const routes = runtime.matcher.route(document).filter((route) => feasibleKey(runtime.matcher, route));
  const evaluated = routes.slice(0, MAX_COMBINATIONS_PER_EVENT);
  if (evaluated.length === 0) return { findings: [], truncated: 0 };
  const summary = summarize(document, [...SUMMARY_FIELDS, ...keyFieldsOf(runtime.matcher), ...(runtime.summaryFields ?? [])]);
  const latenessMs = options.latenessMs ?? SEQUENCE_LATENESS_MS;
  const outputs = await Promise.all(
    evaluated.map((route) =>
      applyReducer(store, stateKey('sequence', runtime.ruleId, route.key.map((value) => JSON.stringify(value))), runtime.machine, {
        eventId: event.eventId,
        time: event.time,
        tiebreaker: event.tiebreaker,
        key: route.key,
        stages: route.stages,
        until: route.until,
        summary,
        spanMs: runtime.spanMs,
        latenessMs,
      }),
    ),
  );
  const findings = outputs.flatMap((output, i) => {
    const route = evaluated[i] as (typeof evaluated)[number];
    return output.sequences.map((sequence): SequenceFinding => ({
      kind: 'sequence',
      key: route.key.map((value, position) => ({ field: keyFieldName(runtime.matcher, sequence, position), value })),
      sequence,
      repeated: output.repeated,
    }));
  });
  return { findings, truncated: routes.length - evaluated.length };
}

/** The fields of the join key, from the sequence's `by` and every stage's own `by` (deduplicated). */
function keyFieldsOf(matcher: SequenceMatcher): string[] {
  const names = new Set<string>(matcher.query.by.map((field) => field.name));
  for (const stage of matcher.query.stages) for (const field of stage.by) names.add(field.name);
  return [...names];
}

/**
 * The name of the key's field at `position`: the sequence's `by` field, or past them the stage's own, of the first
 * step that has one (stages may name different fields for the same position).
 */
function keyFieldName(matcher: SequenceMatcher, sequence: FoundSequence, position: number): string {
  const shared = matcher.query.by;
  if (position < shared.length) return (shared[position] as EqlField).name;
  const stepIndex = sequence.steps.findIndex((step) => step !== null);
  const stage = matcher.stages[Math.max(0, stepIndex)]?.source ?? matcher.query.stages[0];
  return stage?.by[position - shared.length]?.name ?? `key ${position + 1}`;
}

function summarize(document: unknown, fields: readonly string[]): EventSummary {
  const summary: Record<string, string | string[]> = {};
  for (const field of new Set(fields)) {
    const values = distinctValues(document, field)
      .slice(0, MAX_SUMMARY_VALUES)
      .map((value) => (value.length > MAX_SUMMARY_TEXT ? `${value.slice(0, MAX_SUMMARY_TEXT - 1)}…` : value));
    if (values.length === 1) summary[field] = values[0] as string;
    else if (values.length > 1) summary[field] = values;
  }
  return summary;
}

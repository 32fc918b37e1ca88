import type { DetectionRule } from '../rules/detection-rule';
import { applyReducer, type StateMachine } from '../state/apply-reducer';
import type { JsonValue, StateStore } from '../state/state-store';
import { distinctValues, valueCombinations } from './field-values';
import { NEW_TERMS_LATENESS_MS, THRESHOLD_LATENESS_MS } from './lateness';
import { NEW_TERMS_MACHINE } from './new-terms';
import { shortHash, stateKey } from './state-keys';
import { THRESHOLD_MACHINE, type ThresholdCrossing } from './threshold';

/** The event a stateful rule matched: its CloudTrail event id and its event time (epoch ms). */
export interface StatefulEvent {
  readonly eventId: string;
  readonly time: number;
}

/** One new term an event brought: the values of the rule's fields, in field order (`kibana.alert.new_terms`). */
export interface NewTermFinding {
  readonly kind: 'new_terms';
  readonly values: readonly string[];
  /** A retry or redelivery of the event that first found it: the same alert again, for delivery to drop. */
  readonly repeated: boolean;
}

/** One group that crossed its threshold on this event. */
export interface ThresholdFinding {
  readonly kind: 'threshold';
  /** The group-by fields and this group's value of each (`kibana.alert.threshold_result.terms`). */
  readonly terms: readonly { readonly field: string; readonly value: string }[];
  readonly crossing: ThresholdCrossing;
  readonly repeated: boolean;
}

export type StatefulFinding = NewTermFinding | ThresholdFinding;

export interface StatefulEvaluation {
  readonly findings: StatefulFinding[];
  /** Combinations or groups beyond MAX_COMBINATIONS_PER_EVENT, not evaluated. */
  readonly truncated: number;
}

export interface StatefulOptions {
  /** Overrides of the lateness allowances (lateness.ts), for tests. */
  readonly newTermsLatenessMs?: number;
  readonly thresholdLatenessMs?: number;
  /** Record new_terms sightings without finding anything new, and leave threshold rules alone (`baseline`). */
  readonly recordOnly?: boolean;
}

/** Runs a new_terms or threshold rule that matched `document` against the state in `store`. */
export function evaluateStatefulRule(
  rule: DetectionRule,
  document: unknown,
  event: StatefulEvent,
  store: StateStore,
  options: StatefulOptions = {},
): Promise<StatefulEvaluation> {
  if (rule.newTerms) return evaluateNewTerms(rule, rule.newTerms, document, event, store, options);
  if (rule.threshold) {
    if (options.recordOnly) return Promise.resolve({ findings: [], truncated: 0 });
    return evaluateThreshold(rule, rule.threshold, document, event, store, options);
  }
  throw new Error(`rule ${rule.ruleId} is a ${rule.type} rule, not a stateful one`);
}

/** True for the rule types that need a state store. */
export function isStatefulRule(rule: DetectionRule): boolean {
  return rule.newTerms !== undefined || rule.threshold !== undefined;
}

/**
 * Applies a rule's state machine to each term combination or group of the event: each is its own key, so their
 * reads and writes are independent and go out together. `finding` turns a combination's output into a finding.
 */
async function evaluateCombinations<S extends JsonValue, I, O>(
  kind: 'new_terms' | 'threshold',
  rule: DetectionRule,
  fields: readonly string[],
  document: unknown,
  store: StateStore,
  machine: StateMachine<S, I, O>,
  input: (values: string[]) => I,
  finding: (output: O, values: string[]) => StatefulFinding | undefined,
): Promise<StatefulEvaluation> {
  const { combinations, truncated } = valueCombinations(document, fields);
  const outputs = await Promise.all(combinations.map((values) => applyReducer(store, stateKey(kind, rule.ruleId, values), machine, input(values))));
  const findings = outputs.flatMap((output, i) => finding(output, combinations[i] as string[]) ?? []);
  return { findings, truncated };
}

function evaluateNewTerms(
  rule: DetectionRule,
  config: NonNullable<DetectionRule['newTerms']>,
  document: unknown,
  event: StatefulEvent,
  store: StateStore,
  options: StatefulOptions,
): Promise<StatefulEvaluation> {
  return evaluateCombinations(
    'new_terms',
    rule,
    config.fields,
    document,
    store,
    NEW_TERMS_MACHINE,
    (values) => ({
      eventId: event.eventId,
      time: event.time,
      terms: values,
      historyWindowMs: config.historyWindowMs,
      latenessMs: options.newTermsLatenessMs ?? NEW_TERMS_LATENESS_MS,
      ...(options.recordOnly ? { recordOnly: true } : {}),
    }),
    (output, values) => (output.isNew ? { kind: 'new_terms', values, repeated: output.repeated } : undefined),
  );
}

function evaluateThreshold(
  rule: DetectionRule,
  config: NonNullable<DetectionRule['threshold']>,
  document: unknown,
  event: StatefulEvent,
  store: StateStore,
  options: StatefulOptions,
): Promise<StatefulEvaluation> {
  const [cardinality] = config.cardinality;
  // 72-bit digests: distinct counts stay exact for any realistic number of values, and long values stay small.
  const cardinalityHashes = cardinality ? distinctValues(document, cardinality.field).map((value) => shortHash(value, 12)) : [];
  const [sourceAddress] = distinctValues(document, 'source.address');
  const sourceHash = sourceAddress === undefined ? '' : shortHash(sourceAddress, 12);
  return evaluateCombinations(
    'threshold',
    rule,
    config.fields,
    document,
    store,
    THRESHOLD_MACHINE,
    (values) => ({
      eventId: event.eventId,
      time: event.time,
      terms: values,
      cardinalityHashes,
      sourceHash,
      value: config.value,
      ...(cardinality ? { cardinalityValue: cardinality.value } : {}),
      windowMs: config.windowMs,
      latenessMs: options.thresholdLatenessMs ?? THRESHOLD_LATENESS_MS,
    }),
    (output, values) =>
      output.crossing
        ? { kind: 'threshold', terms: config.fields.map((field, j) => ({ field, value: values[j] as string })), crossing: output.crossing, repeated: output.repeated }
        : undefined,
  );
}

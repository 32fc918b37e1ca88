import { createSequenceMatcher } from '../eql/sequence';
import { timestampMillis } from '../eql/run-eql';
import type { CompiledRule } from '../rules/detection-rule';
import { isSequenceRule } from '../rules/eql-rule';
import { lookbackMs } from '../rules/validate-stateful-rule';
import { getPath } from '../alerts/field-access';
import { sequenceRuntime, type SequenceEvent, type SequenceRuleRuntime } from './evaluate-sequence';

/** Elastic's default lookback for a rule without a usable `from` (`now-6m`). */
const DEFAULT_LOOKBACK_MS = 6 * 60_000;

/**
 * A compiled sequence rule ready for the state: its matcher, and how long its events must be kept, which is its
 * maxspan, or without one its lookback (`from`), since Elastic's search never sees a longer sequence.
 */
export function sequenceRuntimeOf(compiled: CompiledRule): SequenceRuleRuntime | undefined {
  const { rule, eql } = compiled;
  if (!eql || eql.query.kind !== 'sequence' || !isSequenceRule(rule)) return undefined;
  const matcher = createSequenceMatcher(eql.query, eql.options);
  const spanMs = eql.query.maxspan?.milliseconds ?? lookbackMs(rule.from) ?? DEFAULT_LOOKBACK_MS;
  return sequenceRuntime(rule.ruleId, matcher, spanMs, rule.investigationFields);
}

/**
 * The event as the sequence orders it: the rule's timestamp field (`timestamp_field`, default `@timestamp`; the
 * event time, not `timestamp_override`, which only moves Elastic's search window) and tiebreaker. Undefined when the
 * event has no usable timestamp: Elasticsearch does not search such a document.
 */
export function sequenceEventOf(compiled: CompiledRule, document: unknown, eventId: string): SequenceEvent | undefined {
  const time = timestampMillis(scalarAt(document, compiled.rule.timestampField ?? '@timestamp'));
  if (time === undefined) return undefined;
  const tiebreakerField = compiled.rule.tiebreakerField;
  const tiebreaker = tiebreakerField === undefined ? undefined : scalarAt(document, tiebreakerField);
  return { eventId, time, tiebreaker: typeof tiebreaker === 'string' || typeof tiebreaker === 'number' ? tiebreaker : null };
}

function scalarAt(document: unknown, field: string): string | number | undefined {
  const value = getPath(document, field);
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' || typeof first === 'number' ? first : undefined;
}

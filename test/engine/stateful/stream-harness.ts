import type { DetectionRule } from '../../../src/engine/rules';
import { evaluateStatefulRule, type StatefulOptions } from '../../../src/engine/stateful';
import type { MemoryStateStore, StateStore } from '../../../src/engine/state';

/** Runs stateful rules over event streams, as the detector will: one event after the other, in the given order. */

export function newTermsRule(fields: readonly string[], historyWindowMs: number, ruleId = 'new-terms-rule'): DetectionRule {
  return { ruleId, type: 'new_terms', newTerms: { fields, historyWindowStart: `now-${historyWindowMs / 1000}s`, historyWindowMs } } as unknown as DetectionRule;
}

export function thresholdRule(
  fields: readonly string[],
  value: number,
  windowMs: number,
  cardinality?: { field: string; value: number },
  ruleId = 'threshold-rule',
): DetectionRule {
  return { ruleId, type: 'threshold', threshold: { fields, value, windowMs, cardinality: cardinality ? [cardinality] : [] } } as unknown as DetectionRule;
}

export interface StreamEvent {
  readonly id: string;
  readonly time: number;
  /** ECS fields of the event by dotted name (the engine reads literal dotted keys like nested objects). */
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface EngineAlert {
  readonly eventId: string;
  readonly key: readonly string[];
  readonly repeated: boolean;
  readonly count?: number;
  readonly from?: number;
  readonly distinct?: number | null;
  readonly sources?: number;
  readonly eventIds?: readonly string[];
}

export function documentOf(event: StreamEvent): Record<string, unknown> {
  return { '@timestamp': new Date(event.time).toISOString(), 'event.id': event.id, ...event.fields };
}

export async function evaluateEvent(rule: DetectionRule, event: StreamEvent, store: StateStore, options: StatefulOptions = {}): Promise<EngineAlert[]> {
  if ('observe' in store) (store as MemoryStateStore).observe(event.time);
  const { findings } = await evaluateStatefulRule(rule, documentOf(event), { eventId: event.id, time: event.time }, store, options);
  return findings.map((finding) =>
    finding.kind === 'new_terms'
      ? { eventId: event.id, key: finding.values, repeated: finding.repeated }
      : {
          eventId: event.id,
          key: finding.terms.map((term) => term.value),
          repeated: finding.repeated,
          count: finding.crossing.count,
          from: finding.crossing.from,
          distinct: finding.crossing.distinct,
          sources: finding.crossing.sources,
          eventIds: finding.crossing.eventIds,
        },
  );
}

export async function runStream(rule: DetectionRule, events: readonly StreamEvent[], store: StateStore, options: StatefulOptions = {}): Promise<EngineAlert[]> {
  const alerts: EngineAlert[] = [];
  for (const event of events) alerts.push(...(await evaluateEvent(rule, event, store, options)));
  return alerts;
}

/** Alerts as delivery sees them: one per identity (rule, event, term or group); repeats are the same alert again. */
export function distinctAlerts(alerts: readonly EngineAlert[]): EngineAlert[] {
  const seen = new Set<string>();
  return alerts.filter((alert) => {
    const identity = JSON.stringify([alert.eventId, alert.key]);
    if (seen.has(identity)) return false;
    seen.add(identity);
    return true;
  });
}

/**
 * The contract of ../shared/reference/stateful-rules.md written as literally as possible: every processed event is
 * kept and every question is answered by looking at all of them. Slow and unbounded, and therefore easy to check by
 * reading; the engine's bounded reducers must give exactly its answers.
 */

export interface OracleEvent {
  readonly id: string;
  readonly time: number;
  /** new_terms: the term combinations of the event; threshold: its groups (values of the group-by fields). */
  readonly keys: readonly (readonly string[])[];
  /** threshold with cardinality: the event's distinct values of the cardinality field. */
  readonly cardinality?: readonly string[];
}

export interface OracleAlert {
  readonly eventId: string;
  /** The new term, or the group. */
  readonly key: readonly string[];
  readonly count?: number;
  readonly from?: number;
  readonly distinct?: number | null;
}

const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((value, i) => value === b[i]);

export class NewTermsOracle {
  private readonly processed: OracleEvent[] = [];

  constructor(private readonly historyWindowMs: number) {}

  process(event: OracleEvent): OracleAlert[] {
    // Re-delivery of the same event never raises a second alert.
    if (this.processed.some((earlier) => earlier.id === event.id)) return [];
    const alerts = event.keys
      .filter((key) => !this.processed.some((earlier) => Math.abs(earlier.time - event.time) < this.historyWindowMs && earlier.keys.some((seen) => same(seen, key))))
      .map((key) => ({ eventId: event.id, key }));
    this.processed.push(event);
    return alerts;
  }
}

export class ThresholdOracle {
  private readonly groups = new Map<string, { events: OracleEvent[]; lastAlert?: number }>();

  constructor(
    private readonly value: number,
    private readonly windowMs: number,
    private readonly cardinalityValue?: number,
  ) {}

  process(event: OracleEvent): OracleAlert[] {
    const alerts: OracleAlert[] = [];
    for (const key of event.keys) {
      const name = JSON.stringify(key);
      const group = this.groups.get(name) ?? { events: [] };
      this.groups.set(name, group);
      // The same eventID processed twice counts once.
      if (group.events.some((earlier) => earlier.id === event.id)) continue;
      group.events.push(event);
      const t = event.time;
      const s = group.events.filter((e) => e.time > t - this.windowMs && e.time <= t && (group.lastAlert === undefined || e.time > group.lastAlert));
      const distinct = this.cardinalityValue === undefined ? null : new Set(s.flatMap((e) => e.cardinality ?? [])).size;
      if (s.length >= this.value && (distinct === null || distinct >= (this.cardinalityValue as number))) {
        alerts.push({ eventId: event.id, key, count: s.length, from: Math.min(...s.map((e) => e.time)), distinct });
        group.lastAlert = t;
      }
    }
    return alerts;
  }
}

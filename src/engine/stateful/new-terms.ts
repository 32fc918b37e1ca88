import type { Reduction, StateMachine } from '../state/apply-reducer';
import type { JsonValue } from '../state/state-store';
import { compactEventId } from './state-keys';

/**
 * The state of one new_terms rule for one combination of values (a "term").
 *
 * A sighting at time s makes every event within the history window H of it (|t - s| < H) not new. Sightings less
 * than 2H apart make one contiguous covered span, so the sightings are kept as clusters `[first, last]` (epoch ms):
 * the term is covered at t exactly when first - H < t < last + H for some cluster. Clusters are at least 2H apart,
 * so a term holds a handful of them however often it is seen. Keeping sightings rather than spans makes the state
 * independent of H: a rule whose window is changed reads the same state with its new window.
 */
export interface NewTermsState {
  readonly [key: string]: JsonValue;
  readonly v: 1;
  /** The values, in field order, for whoever reads the table; not used by the logic. */
  readonly terms: readonly string[];
  /** Disjoint clusters of sightings, sorted, each `[first, last]` in epoch ms. */
  readonly sightings: readonly (readonly [number, number])[];
  /**
   * The events that found this term new, `[event id, event time]`, most recent last: a retry of one of them alerts
   * again (its first delivery may never have gone out; alert delivery drops the duplicate).
   */
  readonly alertedBy: readonly (readonly [string, number])[];
}

export interface NewTermsInput {
  readonly eventId: string;
  readonly time: number;
  readonly terms: readonly string[];
  readonly historyWindowMs: number;
  readonly latenessMs: number;
  /**
   * Record the sighting only, never find it new (`baseline`, loading history): a live delivery of the same event
   * later is then a sighting already made, not a retry of an alert nobody raised.
   */
  readonly recordOnly?: boolean;
}

export interface NewTermsOutput {
  /** The term was not seen within H of this event before it: raise (or raise again, for a retry) the alert. */
  readonly isNew: boolean;
  /** The alert repeats one this event raised before (a redelivery or a retry). */
  readonly repeated: boolean;
}

/** Events whose alert a retry repeats: enough for every retry within the lateness allowance of a busy term. */
const MAX_ALERTED_BY = 16;

export const NEW_TERMS_MACHINE: StateMachine<NewTermsState, NewTermsInput, NewTermsOutput> = {
  name: 'new_terms',
  decode: decodeNewTermsState,
  reduce: reduceNewTerms,
};

export function reduceNewTerms(state: NewTermsState | undefined, input: NewTermsInput): Reduction<NewTermsState, NewTermsOutput> {
  const { time, historyWindowMs: h, latenessMs } = input;
  const eventId = compactEventId(input.eventId);
  if (state?.alertedBy.some(([id]) => id === eventId)) return { output: { isNew: true, repeated: true } };

  const clusters = state?.sightings ?? [];
  const isNew = !input.recordOnly && !clusters.some(([first, last]) => first - h < time && time < last + h);
  let sightings = addCluster(clusters, [time, time], h);
  let alertedBy = isNew ? [...(state?.alertedBy ?? []), [eventId, time] as const] : state?.alertedBy ?? [];

  // Forget what no event within the lateness allowance of the newest sighting can need.
  const newest = Math.max(...sightings.map(([, last]) => last));
  sightings = sightings.filter(([, last]) => last + h > newest - latenessMs);
  alertedBy = alertedBy.filter(([, at]) => at >= newest - latenessMs).slice(-MAX_ALERTED_BY);

  const output = { isNew, repeated: false };
  if (!isNew && sameClusters(sightings, clusters)) return { output };
  return {
    next: { v: 1, terms: state?.terms ?? input.terms, sightings, alertedBy },
    expiresAt: newest + h + latenessMs,
    output,
  };
}

/**
 * Adds a cluster of sightings (a single sighting is `[t, t]`) and merges it with every cluster whose covered span
 * touches it (strictly less than 2H between their nearest sightings), repeatedly, since a merged cluster can reach
 * a neighbour neither part reached.
 */
function addCluster(clusters: readonly (readonly [number, number])[], added: readonly [number, number], h: number): [number, number][] {
  let [first, last] = added;
  let rest = [...clusters];
  for (let merged = true; merged; ) {
    merged = false;
    const kept: (readonly [number, number])[] = [];
    for (const [a, b] of rest) {
      if (a - last < 2 * h && first - b < 2 * h) {
        first = Math.min(first, a);
        last = Math.max(last, b);
        merged = true;
      } else {
        kept.push([a, b]);
      }
    }
    rest = kept;
  }
  return [...rest.map(([a, b]): [number, number] => [a, b]), [first, last] as [number, number]].sort((x, y) => x[0] - y[0]);
}

export interface NewTermsMergeInput {
  /** Clusters of sightings of the term, from another store (a `baseline` run). */
  readonly sightings: readonly (readonly [number, number])[];
  readonly terms: readonly string[];
  readonly historyWindowMs: number;
  readonly latenessMs: number;
}

/** Merges sightings loaded elsewhere (`baseline`) into a term's state: the union of both, nothing found new. */
export const NEW_TERMS_MERGE_MACHINE: StateMachine<NewTermsState, NewTermsMergeInput, { readonly written: boolean }> = {
  name: 'new_terms',
  decode: decodeNewTermsState,
  reduce(state, input) {
    const h = input.historyWindowMs;
    const before = state?.sightings ?? [];
    let sightings = [...before];
    for (const cluster of input.sightings) sightings = addCluster(sightings, cluster, h);
    const newest = Math.max(...sightings.map(([, last]) => last));
    sightings = sightings.filter(([, last]) => last + h > newest - input.latenessMs);
    if (sameClusters(sightings, before)) return { output: { written: false } };
    return {
      next: { v: 1, terms: state?.terms ?? input.terms, sightings, alertedBy: state?.alertedBy ?? [] },
      expiresAt: newest + h + input.latenessMs,
      output: { written: true },
    };
  },
};

function sameClusters(a: readonly (readonly [number, number])[], b: readonly (readonly [number, number])[]): boolean {
  return a.length === b.length && a.every(([first, last], i) => first === b[i]?.[0] && last === b[i]?.[1]);
}

function decodeNewTermsState(stored: unknown): NewTermsState {
  const state = stored as Partial<NewTermsState> | null;
  if (typeof state !== 'object' || state === null || state.v !== 1) throw new Error('not a version 1 new_terms state');
  const pairs = (list: unknown, first: 'number' | 'string'): boolean =>
    Array.isArray(list) && list.every((pair) => Array.isArray(pair) && pair.length === 2 && typeof pair[0] === first && typeof pair[1] === 'number');
  if (!Array.isArray(state.terms) || !pairs(state.sightings, 'number') || !pairs(state.alertedBy, 'string')) {
    throw new Error('terms, sightings or alertedBy are missing or malformed');
  }
  return state as NewTermsState;
}

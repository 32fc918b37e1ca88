/**
 * Runs an EQL query over a list of documents the way an EQL search over an index does: events ordered by
 * timestamp, then tiebreaker, then their position in the list; event queries filter them; sequences go through
 * the sequence state machine key by key; `| head N` / `| tail N` apply in order, then `size`. Used by the
 * conformance suite and by anything that has all events at hand (a `scan` of a trail, tests).
 */
import type { EqlQuery } from './ast';
import { compileEventFilter, type EqlCompileOptions } from './compile-condition';
import { collectScalars, fieldPath } from './document-values';
import { compareOrdinals, createSequenceMatcher, type KeyValue, type SequenceKeyState, type SequenceMatch } from './sequence';
import { parseIso8601 } from '../ecs/iso8601-date';
import { numberFromText, type Scalar } from './values';

export interface EqlRunOptions extends EqlCompileOptions {
  /** Default `@timestamp`. Documents without a usable timestamp are not searched. */
  readonly timestampField?: string;
  /** Orders events with the same timestamp (the EQL API's `tiebreaker_field`). */
  readonly tiebreakerField?: string;
  /** Most events (event queries) or sequences returned; the EQL API's `size`. Default 10, as Elasticsearch. */
  readonly size?: number;
}

export interface EqlHit {
  /** Position of the document in the list given. */
  readonly index: number;
  readonly document: unknown;
}

export type EqlRunResult =
  | { readonly kind: 'events'; readonly events: EqlHit[] }
  | { readonly kind: 'sequences'; readonly sequences: { readonly key: KeyValue[]; readonly events: (EqlHit | null)[] }[] };

export const DEFAULT_SIZE = 10;

interface OrderedEvent {
  readonly index: number;
  readonly document: unknown;
  readonly timestamp: number;
  readonly tiebreaker: string | number | null;
}

export function runEql(query: EqlQuery, documents: readonly unknown[], options: EqlRunOptions = {}): EqlRunResult {
  const ordered = orderEvents(documents, options);
  const size = options.size ?? DEFAULT_SIZE;
  if (query.kind === 'event') {
    const matches = compileEventFilter(query.filter, options);
    const events = ordered.filter((event) => matches(event.document)).map(({ index, document }) => ({ index, document }));
    return { kind: 'events', events: applyPipes(events, query.pipes).slice(0, size) };
  }
  const matcher = createSequenceMatcher(query, options);
  const states = new Map<string, SequenceKeyState>();
  const found: SequenceMatch[] = [];
  for (const event of ordered) {
    for (const route of matcher.route(event.document)) {
      const { state, matches } = matcher.step(states.get(route.keyId), route, {
        timestamp: event.timestamp,
        ...(event.tiebreaker === null ? {} : { tiebreaker: event.tiebreaker }),
        ref: event.index,
      });
      if (state) states.set(route.keyId, state);
      else states.delete(route.keyId);
      found.push(...matches);
    }
  }
  for (const state of states.values()) found.push(...matcher.flush(state));
  // Stable: sequences completed by the same event keep the order of their keys.
  const sorted = found.map((match, position) => ({ match, position })).sort((a, b) => compareOrdinals(a.match.ordinal, b.match.ordinal) || a.position - b.position);
  const sequences = sorted.map(({ match }) => ({
    key: match.key,
    events: match.events.map((event) => (event === null ? null : { index: event.ref as number, document: documents[event.ref as number] })),
  }));
  return { kind: 'sequences', sequences: applyPipes(sequences, query.pipes).slice(0, size) };
}

function applyPipes<T>(items: T[], pipes: EqlQuery['pipes']): T[] {
  return pipes.reduce((current, pipe) => (pipe.kind === 'head' ? current.slice(0, pipe.count) : current.slice(Math.max(0, current.length - pipe.count))), items);
}

function orderEvents(documents: readonly unknown[], options: EqlRunOptions): OrderedEvent[] {
  const timestampPath = fieldPath(options.timestampField ?? '@timestamp');
  const tiebreakerPath = options.tiebreakerField ? fieldPath(options.tiebreakerField) : undefined;
  const buffer: Scalar[] = [];
  const events: OrderedEvent[] = [];
  documents.forEach((document, index) => {
    const timestamp = timestampMillis(collectScalars(document, timestampPath, buffer)[0]);
    if (timestamp === undefined) return;
    const tiebreakerValue = tiebreakerPath ? collectScalars(document, tiebreakerPath, buffer)[0] : undefined;
    const tiebreaker = typeof tiebreakerValue === 'string' || typeof tiebreakerValue === 'number' ? tiebreakerValue : null;
    events.push({ index, document, timestamp, tiebreaker });
  });
  return events.sort((a, b) => compareOrdinals([a.timestamp, a.tiebreaker, a.index], [b.timestamp, b.tiebreaker, b.index]));
}

/** Epoch milliseconds from a number, a string of digits (epoch milliseconds) or an ISO-8601 date. */
export function timestampMillis(value: Scalar | undefined): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const number = numberFromText(value);
  if (number !== undefined) return number;
  // Elasticsearch's date parsing: ISO-8601, UTC unless the text names an offset.
  const iso = parseIso8601(value);
  return iso === undefined ? undefined : Date.parse(iso);
}

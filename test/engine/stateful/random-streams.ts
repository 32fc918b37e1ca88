import fc from 'fast-check';
import type { StreamEvent } from './stream-harness';

/**
 * Random event streams for the stateful rules: times on a coarse grid so window edges are hit exactly, disorder up
 * to a lateness allowance, re-deliveries of earlier events, array fields and missing fields.
 */

export const STEP = 30_000;
export const T0 = Date.parse('2026-11-20T00:00:00Z');
export const H = 10 * STEP;
export const NEW_TERMS_LATENESS = 20 * STEP;
export const W = 4 * STEP;
export const THRESHOLD_LATENESS = 10 * STEP;

const VALUES = ['x', 'y', 'z', 'v', 'w'] as const;
const fieldValue = (pool: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...VALUES.slice(0, pool)) },
    { weight: 1, arbitrary: fc.uniqueArray(fc.constantFrom(...VALUES.slice(0, pool)), { minLength: 1, maxLength: 3 }) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

export interface Step {
  readonly redeliver: number | undefined;
  readonly move: number;
  readonly a: string | string[] | undefined;
  readonly b: string | string[] | undefined;
  readonly c: string | string[] | undefined;
}

/** `maxMove` grid steps forward at most; `pool` values per field: sparse terms reach the window edges exactly. */
export const steps = (maxMove: number, pool: number) =>
  fc.array(
    fc.record({
      redeliver: fc.option(fc.nat(), { freq: 6, nil: undefined }),
      move: fc.integer({ min: -1, max: maxMove }),
      a: fieldValue(pool),
      b: fieldValue(pool),
      c: fieldValue(pool),
    }),
    // size 'max': without it fast-check keeps arrays near its small default size (about 10), far from maxLength.
    { minLength: 1, maxLength: 60, size: 'max' },
  );

/** Times go forward on the grid, and sometimes back, never further than `lateness` behind the newest. */
export function streamOf(stepsList: readonly Step[], lateness: number, backJump: number): StreamEvent[] {
  const events: StreamEvent[] = [];
  let newest = T0;
  stepsList.forEach((step, i) => {
    if (step.redeliver !== undefined && events.length > 0) {
      const earlier = events[step.redeliver % events.length] as StreamEvent;
      if (earlier.time >= newest - lateness) {
        events.push(earlier);
        return;
      }
    }
    const time = step.move >= 0 ? newest + step.move * STEP : Math.max(newest - ((i * 7) % (backJump + 1)) * STEP, newest - lateness);
    newest = Math.max(newest, time);
    const fields: Record<string, unknown> = {};
    if (step.a !== undefined) fields['f.a'] = step.a;
    if (step.b !== undefined) fields['f.b'] = step.b;
    if (step.c !== undefined) fields['f.c'] = step.c;
    events.push({ id: `e${i}`, time, fields });
  });
  return events;
}


import { applyReducer, type Reduction, type StateMachine } from '../state/apply-reducer';
import type { JsonValue, StateStore } from '../state/state-store';

/**
 * The first day of a new_terms rule: until the state holds a whole history window of sightings, every term looks
 * new. The state records, per rule, since when it holds the rule's history: the event time of the first event the
 * detector evaluated with the rule (deployment, or the start of a scan), or earlier once `baseline` has loaded the
 * trail archive. An alert whose event is less than the rule's history window after that says so
 * (`kibana.alert.new_terms_baseline`, and a line in the e-mail). docs/stateful-rules.md, "First day".
 */
export const BASELINE_COVERAGE_KEY = 'baseline#coverage';

/** Never expires: the largest time a Date can hold. */
const NEVER = 8.64e15;

interface CoverageState {
  readonly [key: string]: JsonValue;
  readonly v: 1;
  /** Rule id → epoch ms from which the state holds the rule's sightings. */
  readonly rules: { readonly [ruleId: string]: number };
}

interface CoverageInput {
  readonly ruleIds: readonly string[];
  readonly since: number;
  /** `register`: add the rules not known yet; `extend`: move known rules back to `since` (a baseline was loaded). */
  readonly mode: 'register' | 'extend';
}

const COVERAGE_MACHINE: StateMachine<CoverageState, CoverageInput, CoverageState['rules']> = {
  name: 'baseline coverage',
  decode(stored) {
    const state = stored as Partial<CoverageState> | null;
    if (typeof state !== 'object' || state === null || state.v !== 1 || typeof state.rules !== 'object' || state.rules === null) {
      throw new Error('not a version 1 baseline coverage');
    }
    return state as CoverageState;
  },
  reduce(state, input): Reduction<CoverageState, CoverageState['rules']> {
    const rules: Record<string, number> = { ...(state?.rules ?? {}) };
    let changed = false;
    for (const ruleId of input.ruleIds) {
      const known = rules[ruleId];
      const next = known === undefined ? input.since : input.mode === 'extend' ? Math.min(known, input.since) : known;
      if (next !== known) {
        rules[ruleId] = next;
        changed = true;
      }
    }
    return changed ? { next: { v: 1, rules }, expiresAt: NEVER, output: rules } : { output: rules };
  },
};

export interface BaselineCoverageOptions {
  /**
   * How long (wall clock) a coverage read is trusted before an incomplete answer is checked again: a baseline may
   * have been loaded meanwhile. The Lambda reads the item once per container and then at most this often.
   */
  readonly refreshMs?: number;
  readonly now?: () => number;
}

export class BaselineCoverage {
  private rules: CoverageState['rules'] | undefined;
  private readAt = 0;
  private readonly refreshMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: StateStore,
    private readonly ruleIds: readonly string[],
    options: BaselineCoverageOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Called before the first stateful evaluation: the rules' history starts at this event unless it started earlier. */
  async register(eventTime: number): Promise<void> {
    if (this.rules !== undefined && this.ruleIds.every((ruleId) => this.rules?.[ruleId] !== undefined)) return;
    this.rules = await applyReducer(this.store, BASELINE_COVERAGE_KEY, COVERAGE_MACHINE, { ruleIds: this.ruleIds, since: eventTime, mode: 'register' });
    this.readAt = this.now();
  }

  /** Since when the state holds `ruleId`'s history, for an alert whose event is at `eventTime`. */
  async coveredSince(ruleId: string, eventTime: number, historyWindowMs: number): Promise<number> {
    await this.register(eventTime);
    let since = this.rules?.[ruleId] ?? eventTime;
    if (eventTime - since < historyWindowMs && this.now() - this.readAt >= this.refreshMs) {
      const stored = await this.store.get(BASELINE_COVERAGE_KEY);
      if (stored !== undefined) this.rules = COVERAGE_MACHINE.decode(stored.value).rules;
      this.readAt = this.now();
      since = this.rules?.[ruleId] ?? since;
    }
    return since;
  }
}

/** `baseline`: the rules' history now starts at `since` (or earlier, if it already did). Returns every rule's start. */
export function extendBaselineCoverage(store: StateStore, ruleIds: readonly string[], since: number): Promise<Readonly<Record<string, number>>> {
  return applyReducer(store, BASELINE_COVERAGE_KEY, COVERAGE_MACHINE, { ruleIds, since, mode: 'extend' });
}

/** Every rule's coverage start as the state holds it (for `baseline`'s summary and the tests). */
export async function readBaselineCoverage(store: StateStore): Promise<Readonly<Record<string, number>>> {
  const stored = await store.get(BASELINE_COVERAGE_KEY);
  return stored === undefined ? {} : COVERAGE_MACHINE.decode(stored.value).rules;
}

import { admits, type RequiredValues } from './required-values';

/**
 * For one field, which rules (by position) may match a given value: those demanding that exact value, a prefix or a
 * part of it, and those that demand nothing of this field.
 */
export class FieldIndex {
  private readonly exact = new Map<string, number[]>();
  private readonly patterns: { readonly demand: RequiredValues; readonly position: number }[] = [];
  private readonly unconstrained: number[] = [];

  constructor(demands: readonly RequiredValues[]) {
    demands.forEach((demand, position) => {
      if (demand === 'any') {
        this.unconstrained.push(position);
        return;
      }
      for (const value of demand.exact) {
        const positions = this.exact.get(value);
        if (positions) positions.push(position);
        else this.exact.set(value, [position]);
      }
      if (demand.prefixes.length > 0 || (demand.contains?.length ?? 0) > 0) {
        this.patterns.push({ demand: { exact: [], prefixes: demand.prefixes, contains: demand.contains }, position });
      }
    });
  }

  /** Marks `allowed[position]` for each rule that may match `value` (undefined: the field is absent). */
  markCandidates(value: string | undefined, allowed: Uint8Array): void {
    for (const position of this.unconstrained) allowed[position] = 1;
    // An absent field equals nothing, starts with nothing and contains nothing: only rules without a demand remain.
    if (value === undefined) return;
    for (const position of this.exact.get(value) ?? []) allowed[position] = 1;
    for (const { demand, position } of this.patterns) if (admits(demand, value)) allowed[position] = 1;
  }
}

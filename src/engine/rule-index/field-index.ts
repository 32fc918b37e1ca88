import type { RequiredValues } from './required-values';

/**
 * For one field, which rules (by position) may match a given value: those demanding that exact value, those with a
 * prefix of it, and those that demand nothing.
 */
export class FieldIndex {
  private readonly exact = new Map<string, number[]>();
  private readonly prefixes: { readonly prefix: string; readonly position: number }[] = [];
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
      for (const prefix of demand.prefixes) this.prefixes.push({ prefix, position });
    });
  }

  /** Marks `allowed[position]` for each rule that may match `value` (undefined: the field is absent). */
  markCandidates(value: string | undefined, allowed: Uint8Array): void {
    for (const position of this.unconstrained) allowed[position] = 1;
    // An absent field equals nothing and starts with nothing: only rules without a demand remain.
    if (value === undefined) return;
    for (const position of this.exact.get(value) ?? []) allowed[position] = 1;
    for (const { prefix, position } of this.prefixes) if (value.startsWith(prefix)) allowed[position] = 1;
  }
}

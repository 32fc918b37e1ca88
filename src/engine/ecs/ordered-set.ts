/** Append-only list without duplicates, keeping first-insertion order (the pipeline's `append` with allow_duplicates: false). */
export class InsertionOrderedSet {
  private readonly values = new Set<string>();

  add(value: string | undefined): void {
    if (value !== undefined && value !== '') this.values.add(value);
  }

  toArray(): string[] {
    return [...this.values];
  }
}

/** A Java TreeSet<String>: natural order is UTF-16 code unit order, which is also JS's default sort. */
export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

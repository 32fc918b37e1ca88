/** Reads a dotted path through nested objects; undefined when any step is missing or not an object. */
export function getPath(document: unknown, path: string): unknown {
  let current: unknown = document;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The value as text when it is a string, number or boolean; undefined otherwise. */
export function getText(document: unknown, path: string): string | undefined {
  const value = getPath(document, path);
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Like getText, but a list of scalars becomes its items as text. */
export function getTextList(document: unknown, path: string): string[] {
  const value = getPath(document, path);
  const items = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return items.flatMap((item) =>
    typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean' ? [String(item)] : [],
  );
}

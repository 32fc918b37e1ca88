/**
 * Sets environment variables (`undefined` removes one) and returns a function that puts back exactly
 * what was there before, so a suite leaves process.env as it found it.
 */
export function setEnvironment(variables: Readonly<Record<string, string | undefined>>): () => void {
  const previous = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  apply(variables);
  return () => apply(previous);
}

function apply(variables: Readonly<Record<string, string | undefined>>): void {
  for (const [name, value] of Object.entries(variables)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

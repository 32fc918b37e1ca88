import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Where Elastic's conformance data is read from: `CONFORMANCE_DIR` when set, else `../shared/conformance` beside the
 * project. A user's clone usually has neither; tests, the benchmark and the conformance command then skip what
 * needs it. The data is never copied into the repository (its licences and provenance stay with it).
 */
export function conformanceDirectory(environment: NodeJS.ProcessEnv = process.env): string {
  const configured = environment.CONFORMANCE_DIR?.trim();
  return configured ? resolve(configured) : resolve(__dirname, '..', '..', '..', 'shared', 'conformance');
}

/** A path inside the conformance folder, e.g. `conformancePath('elastic-aws-kuery-rules')`. */
export function conformancePath(...segments: string[]): string {
  return join(conformanceDirectory(), ...segments);
}

/** True when every given path exists inside the conformance folder. */
export function hasConformanceData(...paths: string[]): boolean {
  return paths.every((segment) => existsSync(conformancePath(segment)));
}

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const PACKAGE_NAME = 'cloudtrail-stream-detector';

let root: string | undefined;

/**
 * The package's root folder: the repository when running from the TypeScript sources, the installed package
 * (`node_modules/cloudtrail-stream-detector`) when running from its compiled `dist/`. Found from this file's own
 * location, so no caller needs to know how deep it sits.
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  for (let directory = __dirname; ; directory = dirname(directory)) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME) {
      root = directory;
      return directory;
    }
    if (dirname(directory) === directory) throw new Error(`cannot find the ${PACKAGE_NAME} package.json above ${__dirname}`);
  }
}

/**
 * True when this code runs from the TypeScript sources (tsx, ts-jest): the detector function is then bundled from
 * `lambda/handler.ts` at synth, so what is deployed is what was just edited and tested. From the compiled package it
 * is the bundle built with the package (`dist/detector-bundle/`).
 */
export function runningFromSources(): boolean {
  return __filename.endsWith('.ts');
}

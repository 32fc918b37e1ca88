// Which code a program of this package runs: the JavaScript that `npm run build` (run by `prepare`, so by `npm ci`)
// compiled into dist/, when it is current, else the TypeScript sources through tsx. Compiled code starts several
// times faster (no TypeScript transform at every start); the sources are what a developer just edited, so a build
// older than any of its inputs is never used: the build records when it started and every source file it read
// (dist/build-stamp.json), and one stat per file (a millisecond or two) tells whether any changed since.
'use strict';
const { readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');

const STAMP_FILE = join('dist', 'build-stamp.json');
const STAMP_FORMAT = 1;

/**
 * The compiled file `dist/<relativeJs>` when the build that wrote it is current: its stamp exists and names this
 * file, and no input it lists is missing or modified after the build started. Undefined otherwise.
 * An installed package passes too: npm gives every file of a package the same timestamp, older than the build.
 */
function currentCompiledFile(root, relativeJs) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(root, STAMP_FILE), 'utf8'));
  } catch {
    return undefined; // never built, or a build in progress or failed (the stamp is written last)
  }
  if (stamp === null || stamp.format !== STAMP_FORMAT || !Array.isArray(stamp.inputs) || !Array.isArray(stamp.outputs)) return undefined;
  if (!stamp.outputs.includes(relativeJs)) return undefined;
  for (const input of stamp.inputs) {
    const stat = statSync(join(root, input), { throwIfNoEntry: false });
    if (stat === undefined || stat.mtimeMs > stamp.startedAtMs) return undefined;
  }
  return join(root, 'dist', relativeJs);
}

module.exports = { STAMP_FILE, STAMP_FORMAT, currentCompiledFile };

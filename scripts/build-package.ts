/**
 * `npm run build` (also run by `prepare`, so `npm ci` and `npm pack` do it): compiles the construct library, the
 * engine and the command line to JavaScript with type declarations in `dist/` (tsconfig.build.json), and bundles the
 * detector function into `dist/detector-bundle/` with the options `cdk synth` uses from the sources. A CDK app that
 * installs the package then needs neither TypeScript nor esbuild nor Docker to synthesize a detector, and the CLI
 * starts without compiling TypeScript. Last, `dist/build-stamp.json` records when the build started and which source
 * files it read, so bin/compiled-build.js runs the compiled code only while none of them has changed.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bundleDetectorHandler, PREBUILT_BUNDLE_DIRECTORY } from '../lib/constructs/detector-code';
import { packageRoot } from '../lib/package-paths';

const BUILD_CONFIG = 'tsconfig.build.json';
const root = packageRoot();
// Whole milliseconds down: a file saved in the same millisecond as the build started counts as changed after it.
const startedAtMs = Math.floor(Date.now()) - 1;
rmSync(join(root, 'dist'), { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, BUILD_CONFIG), '--listEmittedFiles'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const emitted: string[] = [];
for (const line of tsc.stdout.split('\n')) {
  const file = /^TSFILE: (.+)$/.exec(line)?.[1];
  if (file === undefined) {
    if (line.trim() !== '') process.stdout.write(`${line}\n`); // diagnostics
  } else if (file.endsWith('.js')) {
    emitted.push(relative(join(root, 'dist'), file).split('\\').join('/'));
  }
}
if (tsc.status !== 0) {
  process.stderr.write('build: tsc failed\n');
  process.exit(tsc.status ?? 1);
}
const bundled = bundleDetectorHandler(join(root, PREBUILT_BUNDLE_DIRECTORY));
const inputs = new Set([BUILD_CONFIG, 'tsconfig.json', ...emitted.map((file) => file.replace(/\.js$/, '.ts')), ...bundled]);
writeFileSync(join(root, 'dist', 'build-stamp.json'), `${JSON.stringify({ format: 1, startedAtMs, outputs: emitted, inputs: [...inputs].sort() }, null, 1)}\n`);
process.stderr.write(`build: wrote ${join('dist', 'lib')} (construct library), ${join('dist', 'src')} (engine, command line), ${PREBUILT_BUNDLE_DIRECTORY}\n`);

/**
 * `npm run build` (also run by `prepare`, so `npm ci` and `npm pack` do it): compiles the construct library and
 * the engine to JavaScript with type declarations in `dist/` (tsconfig.build.json), and bundles the detector
 * function into `dist/detector-bundle/` with the options `cdk synth` uses from the sources. A CDK app that installs
 * the package then needs neither TypeScript nor esbuild nor Docker to synthesize a detector.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { bundleDetectorHandler, PREBUILT_BUNDLE_DIRECTORY } from '../lib/constructs/detector-code';
import { packageRoot } from '../lib/package-paths';

const root = packageRoot();
rmSync(join(root, 'dist'), { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) {
  process.stderr.write('build: tsc failed\n');
  process.exit(tsc.status ?? 1);
}
bundleDetectorHandler(join(root, PREBUILT_BUNDLE_DIRECTORY));
process.stderr.write(`build: wrote ${join('dist', 'lib')} (construct library), ${join('dist', 'src', 'engine')} (engine) and ${PREBUILT_BUNDLE_DIRECTORY}\n`);

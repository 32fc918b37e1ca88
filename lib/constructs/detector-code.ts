import { Stack, Stage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DISABLE_ASSET_STAGING_CONTEXT } from 'aws-cdk-lib/cx-api';
import type { Construct } from 'constructs';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LAMBDA_BUNDLE_OPTIONS } from '../lambda-bundle-options';
import { packageRoot, runningFromSources } from '../package-paths';

/** A file packaged next to the handler (`rules.json`, `exceptions.json`, a data file…), read at cold start. */
export interface DetectorBundleFile {
  /** Its path in the function's package, e.g. `rules.json` or `enrichment/asn.mmdb`. */
  readonly name: string;
  /** Its content, written at synth; or, for large data such as a database, give `sourcePath` instead. */
  readonly content?: string;
  /** A file to copy in as it is. */
  readonly sourcePath?: string;
}

/** The handler in the Lambda package: `index.js` exporting `handler`. */
export const DETECTOR_HANDLER = 'index.handler';

/** Where the compiled package keeps the handler bundle built with it (scripts/build-package.ts). */
export const PREBUILT_BUNDLE_DIRECTORY = join('dist', 'detector-bundle');

/**
 * Writes the handler bundle (esbuild, the options the benchmark measures, plus source maps) into `outdir` as
 * `index.js` and `index.js.map`. Used at synth when running from the sources, and by the package build.
 * Returns the project's own source files that went into it (relative to the package root), for the build stamp.
 */
export function bundleDetectorHandler(outdir: string): string[] {
  // Only the source checkout bundles (esbuild is a development dependency); the compiled package never gets here.
  const { buildSync } = require('esbuild') as typeof import('esbuild');
  const root = packageRoot();
  const result = buildSync({
    ...LAMBDA_BUNDLE_OPTIONS,
    entryPoints: [join(root, 'lambda', 'handler.ts')],
    outfile: join(outdir, 'index.js'),
    // Stack traces in the function's log point at the TypeScript sources (NODE_OPTIONS=--enable-source-maps).
    sourcemap: true,
    logLevel: 'warning',
    absWorkingDir: root,
    metafile: true,
  });
  return Object.keys(result.metafile?.inputs ?? {}).filter((input) => !input.includes('node_modules/'));
}

export interface StagedDetectorCode {
  readonly code: lambda.Code;
  /** Removes the staging folder once the function has taken its asset (CDK copies it into the assembly). */
  release(): void;
}

/**
 * The function's code: the handler bundle and the files written at synth, staged in a folder of the cloud assembly
 * (never the system temp folder) that `release()` removes once CDK has copied it into its content-addressed asset,
 * so nothing is left behind. The asset hash follows the bundle and every packaged file.
 * The bundle is skipped, as CDK skips bundling, for stacks the CLI does not synthesize in full
 * (`cdk deploy OtherStack`, `cdk ls`): their templates are not deployed.
 */
export function stageDetectorCode(scope: Construct, files: readonly DetectorBundleFile[]): StagedDetectorCode {
  const stage = Stage.of(scope);
  const parent = stage ? stage.assetOutdir : undefined;
  if (parent === undefined) throw new Error('the detector function must be inside a CDK App (it has a code asset)');
  mkdirSync(parent, { recursive: true });
  const directory = mkdtempSync(join(parent, '.detector-code-'));
  try {
    if (runningFromSources()) {
      if (Stack.of(scope).bundlingRequired) bundleDetectorHandler(directory);
    } else {
      copyPrebuiltBundle(directory);
    }
    for (const file of files) {
      const target = join(directory, file.name);
      mkdirSync(dirname(target), { recursive: true }); // e.g. enrichment/asn.mmdb
      if (file.sourcePath !== undefined) copyFileSync(file.sourcePath, target);
      else writeFileSync(target, file.content ?? '');
    }
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  // With asset staging off (`cdk synth --no-staging`, SAM local), the asset points at this folder itself: keep it.
  const stagingDisabled = scope.node.tryGetContext(DISABLE_ASSET_STAGING_CONTEXT) === true || scope.node.tryGetContext(DISABLE_ASSET_STAGING_CONTEXT) === 'true';
  return {
    code: lambda.Code.fromAsset(directory),
    release: () => {
      if (!stagingDisabled) rmSync(directory, { recursive: true, force: true });
    },
  };
}

function copyPrebuiltBundle(directory: string): void {
  const bundle = join(packageRoot(), PREBUILT_BUNDLE_DIRECTORY);
  if (!existsSync(join(bundle, 'index.js'))) {
    throw new Error(`the cloudtrail-stream-detector package has no detector bundle (${join(bundle, 'index.js')}); reinstall it, or run npm run build in its folder`);
  }
  for (const name of ['index.js', 'index.js.map']) {
    if (existsSync(join(bundle, name))) copyFileSync(join(bundle, name), join(directory, name));
  }
}

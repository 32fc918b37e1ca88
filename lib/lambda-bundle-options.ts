import type { BuildOptions } from 'esbuild';

/**
 * How the detector Lambda is bundled, in esbuild's terms. The CDK construct and the benchmark both use these, so
 * the bundle the benchmark measures is the one that is deployed.
 * Node 24 is the newest Lambda runtime in aws-cdk-lib 2.276 (Runtime.NODEJS_24_X).
 */
export const LAMBDA_NODE_TARGET = 'node24';

export const LAMBDA_BUNDLE_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: LAMBDA_NODE_TARGET,
  minify: true,
  sourcemap: false,
  // The runtime ships AWS SDK v3; bundling our own copy pins the version we test against and costs ~0.5 MB.
  external: [],
};

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
  // The runtime ships AWS SDK v3, but we bundle our own copy: it pins the version the tests ran against, loads no
  // slower than the runtime's (measured by npm run bench; AWS measures bundled as faster on Lambda, where the runtime's
  // SDK is hundreds of files to resolve and read), and its ~0.6 MB is a few percent of a package that carries the
  // enrichment databases. The trade-off is in docs/benchmark.md.
  external: [],
};

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }],
  },
  // Every temporary folder of the run goes into one that is removed at the end (test/support/temporary-root-setup.js);
  // jest's own transform cache is kept in the project (git-ignored), not in the system's temporary folder. The setup
  // also says the AWS SDK's Node.js version notice once per run instead of once per test file (sdk-node-notice.js).
  cacheDirectory: '<rootDir>/.jest-cache',
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/temporary-root-teardown.js',
  // CDK synthesis bundles the Lambda with esbuild; give those suites room.
  testTimeout: 120000,
};

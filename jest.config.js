/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }],
  },
  // The AWS SDK's Node.js version notice, once per run instead of once per test file (test/support/sdk-node-notice.js).
  globalSetup: '<rootDir>/test/support/sdk-node-notice.js',
  // CDK synthesis bundles the Lambda with esbuild; give those suites room.
  testTimeout: 120000,
};

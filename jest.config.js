/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }],
  },
  // Every temporary folder of the run goes into one that is removed at the end (test/support/temporary-root-setup.js).
  globalSetup: '<rootDir>/test/support/temporary-root-setup.js',
  globalTeardown: '<rootDir>/test/support/temporary-root-teardown.js',
  // CDK synthesis bundles the Lambda with esbuild; give those suites room.
  testTimeout: 120000,
};

// Jest global teardown: removes the run's temporary folder (temporary-root-setup.js) and everything in it.
'use strict';
const { rmSync } = require('node:fs');

module.exports = function teardown() {
  const root = process.env.CTSD_TEST_TEMPORARY_ROOT;
  if (root) rmSync(root, { recursive: true, force: true });
};

// Jest global setup: every temporary folder the tests create (mkdtemp, CDK's cloud assemblies, the child
// processes they start) lands in one private folder, which temporary-root-teardown.js removes when the run ends, so
// a test run leaves nothing in the system's temporary folder. Workers inherit TMPDIR: they start after this setup.
'use strict';
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = function setup() {
  const root = mkdtempSync(join(tmpdir(), 'cloudtrail-stream-detector-tests-'));
  process.env.CTSD_TEST_TEMPORARY_ROOT = root;
  process.env.TMPDIR = root;
};

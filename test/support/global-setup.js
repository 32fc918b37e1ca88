// Jest global setup: runs once before every test file.
'use strict';
const sdkNodeVersionNotice = require('./sdk-node-notice');
const temporaryRootSetup = require('./temporary-root-setup');

module.exports = async function globalSetup() {
  await sdkNodeVersionNotice();
  temporaryRootSetup();
};

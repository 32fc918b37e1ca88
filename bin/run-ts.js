#!/usr/bin/env node
// Runs a TypeScript entry point without a build step, so `npm ci` is the only set-up.
'use strict';
const path = require('node:path');
require('tsx/cjs');
const entry = process.argv[2];
if (!entry) {
  process.stderr.write('usage: run-ts.js FILE.ts [ARGS...]\n');
  process.exit(2);
}
process.argv.splice(1, 2, path.resolve(entry));
require(path.resolve(entry));

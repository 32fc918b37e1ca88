#!/usr/bin/env node
// Command-line door to the detection engine. Runs the TypeScript sources directly (tsx), so a fresh clone
// needs only `npm ci`.
'use strict';
require('tsx/cjs');
const { main } = require('../src/cli/main.ts');
main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`cloudtrail-stream-detector: ${err && err.stack ? err.stack : err}\n`); process.exitCode = 1; },
);

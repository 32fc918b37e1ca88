#!/usr/bin/env node
// Command-line door to the detection engine. Runs the JavaScript compiled into dist/ when it is current (see
// compiled-build.js), else the TypeScript sources through tsx, so a fresh clone needs only `npm ci` and an edited
// source file is what runs.
'use strict';
const { join } = require('node:path');
const { currentCompiledFile } = require('./compiled-build.js');

const root = join(__dirname, '..');
const compiled = currentCompiledFile(root, 'src/cli/main.js');
if (compiled === undefined) require('tsx/cjs');
const { main } = require(compiled ?? join(root, 'src', 'cli', 'main.ts'));
main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`cloudtrail-stream-detector: ${err && err.stack ? err.stack : err}\n`); process.exitCode = 1; },
);

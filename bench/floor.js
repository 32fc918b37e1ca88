#!/usr/bin/env node
// The floor of the scan benchmark: read, gunzip and JSON.parse every object under DIR, one at a time, and nothing
// else. Prints the record count and this process's peak RSS (KiB) as JSON on stdout.
'use strict';
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { gunzipSync } = require('node:zlib');

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.name.endsWith('.json.gz')) yield path;
  }
}

let records = 0;
for (const file of walk(process.argv[2])) records += JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')).Records.length;
process.stdout.write(`${JSON.stringify({ records, maxRssKiB: process.resourceUsage().maxRSS })}\n`);

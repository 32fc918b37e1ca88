#!/usr/bin/env node
// The floor of the scan benchmark: read, gunzip and JSON.parse every object under DIR, and nothing else. With
// `--threads N` the objects are shared out among N worker threads (the main thread only hands out paths), the floor
// for a scan that uses N cores. Prints the record count and this process's peak RSS (KiB) as JSON on stdout.
'use strict';
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { gunzipSync } = require('node:zlib');
const { Worker, isMainThread, parentPort } = require('node:worker_threads');

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.name.endsWith('.json.gz')) yield path;
  }
}

const recordsIn = (file) => JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')).Records.length;

if (!isMainThread) {
  parentPort.on('message', (file) => parentPort.postMessage(recordsIn(file)));
} else {
  const args = process.argv.slice(2);
  const threadsAt = args.indexOf('--threads');
  const threads = threadsAt === -1 ? 0 : Number(args.splice(threadsAt, 2)[1]);
  const files = [...walk(args[0])];
  const done = (records) => process.stdout.write(`${JSON.stringify({ records, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
  if (threads < 1) {
    done(files.reduce((sum, file) => sum + recordsIn(file), 0));
  } else {
    // Each worker asks for the next file when it has finished one: no worker idles while files remain.
    let next = 0;
    let records = 0;
    let running = 0;
    for (let n = 0; n < Math.min(threads, files.length); n += 1) {
      const worker = new Worker(__filename);
      running += 1;
      const feed = () => {
        if (next < files.length) worker.postMessage(files[next++]);
        else void worker.terminate().then(() => (running -= 1) === 0 && done(records));
      };
      worker.on('message', (count) => {
        records += count;
        feed();
      });
      feed();
    }
    if (files.length === 0) done(0);
  }
}

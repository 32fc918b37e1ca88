#!/usr/bin/env node
// DuckDB, the peer of the scan benchmark: counts the records of the gzipped CloudTrail objects under DIR that match
// the packaged rule's predicate (rds StartExportTask with neither an error code nor an error message), in one query
// over the files (`read_json` reads .json.gz itself, on every core). The schema names only the four fields the
// predicate reads, as a data engineer would write it: DuckDB then skips the rest of each record. Prints the count and
// this process's peak RSS (KiB) as JSON on stdout.
'use strict';
const { DuckDBInstance } = require('@duckdb/node-api');

const RECORD_FIELDS = "STRUCT(eventSource VARCHAR, eventName VARCHAR, errorCode VARCHAR, errorMessage VARCHAR)[]";

async function main(dir) {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const files = `${dir.replace(/'/g, "''")}/**/*.json.gz`;
  const reader = await connection.runAndReadAll(`
    SELECT count(*)::INTEGER AS matches
    FROM (SELECT unnest(Records) AS r FROM read_json('${files}', columns = {Records: '${RECORD_FIELDS}'}, format = 'auto', maximum_object_size = 1073741824))
    WHERE r.eventSource = 'rds.amazonaws.com' AND r.eventName = 'StartExportTask' AND r.errorCode IS NULL AND r.errorMessage IS NULL`);
  const [matches] = reader.getRows()[0];
  process.stdout.write(`${JSON.stringify({ matches: Number(matches), version: (await connection.runAndReadAll('SELECT version()')).getRows()[0][0], maxRssKiB: process.resourceUsage().maxRSS })}\n`);
}

main(process.argv[2]).catch((error) => {
  process.stderr.write(`duckdb-scan: ${error.message}\n`);
  process.exitCode = 1;
});

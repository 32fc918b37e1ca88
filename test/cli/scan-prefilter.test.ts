import { join } from 'node:path';
import { setEnvironment } from '../support/environment';
import { gzipSync } from 'node:zlib';
import { startExportTaskRecord } from '../support/cloudtrail-records';
import { eventIds, runCli, scratchDirectory } from './cli-harness';

/** The scan skips parsing records no rule can match (raw pre-filter): counts, alerts and errors must not change. */
describe('scan: records no rule can match are skipped unparsed', () => {
  const exportRecord = (id: string) => startExportTaskRecord({ eventID: id });
  const other = (id: string) => startExportTaskRecord({ eventID: id, eventSource: 's3.amazonaws.com', eventName: 'GetBucketAcl' });

  it('still counts every record and alerts on the matching ones, in order', async () => {
    const records = Array.from({ length: 500 }, (_, n) => (n === 17 || n === 402 ? exportRecord(`hit-${n}`) : other(`miss-${n}`)));
    const dir = scratchDirectory({
      'AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/20/a.json.gz': gzipSync(JSON.stringify({ Records: records })),
      'AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/20/b.json.gz': gzipSync(JSON.stringify({ Records: [other('m'), exportRecord('hit-b'), exportRecord('hit-17')] })),
    });
    try {
      const run = await runCli(['scan', dir.path]);
      expect(run.code).toBe(0);
      expect(eventIds(run)).toEqual(['hit-17', 'hit-402', 'hit-b']);
      expect(run.alerts[0].event.original).toBe(JSON.stringify(records[17]));
      expect(run.stderr).toMatch(/^scanned 2 files with 1 rule: 503 records, 3 alerts\b.*, 0 errors\n$/);
    } finally {
      dir.cleanup();
    }
  });

  it('still reports a malformed record the rules would not match, with its position', async () => {
    const good = JSON.stringify(exportRecord('good'));
    const dir = scratchDirectory({
      'log.json.gz': gzipSync(`{"Records":[\n${JSON.stringify(other('x'))},\n{"eventName":"GetBucketAcl",},\n${good}\n]}`),
      'objects.json': JSON.stringify({ Records: [other('y'), 7, exportRecord('r2')] }),
    });
    try {
      const run = await runCli(['scan', dir.path]);
      expect(run.code).toBe(1);
      expect(eventIds(run)).toEqual(['r2']); // a log that is not valid JSON gives no records, only its error
      expect(run.stderr).toContain(`${join(dir.path, 'log.json.gz')}:line 3, column 29: invalid JSON`);
      expect(run.stderr).toContain(`${join(dir.path, 'objects.json')}:Records[1]: a CloudTrail record must be a JSON object, found a number (7)`);
    } finally {
      dir.cleanup();
    }
  });

  it('gives the same alerts, counts and errors with the worker pool as without it', async () => {
    const big = (prefix: string, hits: number[]) =>
      JSON.stringify({ Records: Array.from({ length: 600 }, (_, n) => (hits.includes(n) ? exportRecord(`${prefix}-${n}`) : other(`${prefix}-miss-${n}`))) });
    const broken = big('broken', [3]).replace('"eventName":"GetBucketAcl"', '"eventName":"GetBucketAcl",,');
    const dir = scratchDirectory({
      'a/1.json': big('a', [0, 599]), // over the worker threshold uncompressed
      'a/2.json.gz': gzipSync(big('gz', [42])),
      'b/broken.json': broken,
      'c/3.json': big('c', [7]),
    });
    const runWith = async (workers: string) => {
      const restore = setEnvironment({ CTSD_SCAN_WORKERS: workers });
      try {
        return await runCli(['scan', dir.path]);
      } finally {
        restore();
      }
    };
    try {
      const pooled = await runWith('2');
      const inline = await runWith('0');
      expect(eventIds(pooled)).toEqual(['a-0', 'a-599', 'gz-42', 'c-7']);
      expect(eventIds(pooled)).toEqual(eventIds(inline));
      expect(pooled.stderr).toBe(inline.stderr);
      expect(pooled.stderr).toMatch(/broken\.json:line 1, column \d+: invalid JSON/);
      expect(pooled.stderr).toContain('1800 records');
      expect(pooled.code).toBe(1);
    } finally {
      dir.cleanup();
    }
  });
});

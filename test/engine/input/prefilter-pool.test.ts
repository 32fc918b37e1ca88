import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { AHEAD_BYTES, POOL_AFTER_BYTES, prepareEntries, WORKER_MIN_BYTES } from '../../../src/engine/input/prefilter-pool';
import { compileRules, loadRulePack } from '../../../src/engine/rules';
import { startExportTaskRecord } from '../../support/cloudtrail-records';
import { join } from 'node:path';

const rules = compileRules(loadRulePack(join(__dirname, '../../../rules')).rules);

/** Small gzipped CloudTrail objects like a real trail's (a few hundred records, tens of KB), one in five with a hit. */
function smallObjects(count: number): { kind: 'content'; displayPath: string; content: Uint8Array }[] {
  return Array.from({ length: count }, (_, n) => {
    const records = Array.from({ length: 40 }, (_, k) =>
      // A random request id per record, as real ones: objects then gzip to a few KB, not a few hundred bytes.
      n % 5 === 0 && k === 7
        ? startExportTaskRecord({ eventID: `hit-${n}` })
        : startExportTaskRecord({ eventID: `miss-${n}-${k}`, eventName: 'DescribeDBInstances', requestID: randomBytes(16).toString('hex') }),
    );
    return { kind: 'content', displayPath: `AWSLogs/1/CloudTrail/us-east-1/2026/11/20/o${n}.json.gz`, content: gzipSync(JSON.stringify({ Records: records })) };
  });
}

async function prepareAll(entries: ReturnType<typeof smallObjects>, workers: number) {
  async function* source() {
    yield* entries;
  }
  const out: unknown[] = [];
  for await (const { entry, prepared } of prepareEntries(source(), rules, { workers })) out.push({ path: entry.displayPath, prepared });
  return out;
}

describe('preparing many small objects', () => {
  it('hands them to the worker threads once the scan is big enough, with the same results as inline, in order', async () => {
    const entries = smallObjects(300);
    const total = entries.reduce((sum, entry) => sum + entry.content.length, 0);
    expect(entries.every((entry) => entry.content.length < WORKER_MIN_BYTES)).toBe(true);
    expect(total).toBeGreaterThan(POOL_AFTER_BYTES + AHEAD_BYTES);
    const posted = jest.spyOn(Worker.prototype, 'postMessage');
    try {
      const pooled = await prepareAll(entries, 2);
      // Most of them: all but the first few, prepared inline while the scan was still small.
      expect(posted.mock.calls.length).toBeGreaterThan(entries.length / 2);
      posted.mockClear();
      const inline = await prepareAll(entries, 0);
      expect(posted).not.toHaveBeenCalled();
      expect(pooled).toEqual(inline);
      expect(pooled.map((item) => (item as { path: string }).path)).toEqual(entries.map((entry) => entry.displayPath));
    } finally {
      posted.mockRestore();
    }
  });

  it('keeps a scan of a few small objects on the main thread: no thread is started for it', async () => {
    const posted = jest.spyOn(Worker.prototype, 'postMessage');
    try {
      expect(await prepareAll(smallObjects(3), 2)).toHaveLength(3);
      expect(posted).not.toHaveBeenCalled();
    } finally {
      posted.mockRestore();
    }
  });
});

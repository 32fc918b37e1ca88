import { gzipSync } from 'node:zlib';
import { canonicalJsonHash } from '../../src/cli/alert-dedupe';
import { startExportTaskRecord } from '../support/cloudtrail-records';
import { runCli, scratchDirectory } from './cli-harness';

/** `depth` levels of nested arrays around an empty one, as JSON text. */
function nestedArrays(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** A positive record whose requestParameters hold `nested` (JSON text) under `deep`. */
function positiveWith(nested: string, overrides: Record<string, unknown> = {}): string {
  const text = JSON.stringify(startExportTaskRecord(overrides));
  return text.replace('"requestParameters":{', `"requestParameters":{"deep":${nested},`);
}

describe('scan on hostile input: deep nesting (issue 10, case 2)', () => {
  it('keys a record without eventID nested 100,000 levels deep, and the same content in another key order alike', () => {
    const deep = JSON.parse(`{"b":${nestedArrays(100_000)},"a":1}`);
    const reordered = JSON.parse(`{"a":1,"b":${nestedArrays(100_000)}}`);
    expect(canonicalJsonHash(deep)).toBe(canonicalJsonHash(reordered));
    expect(canonicalJsonHash({ a: [1, { c: 'x', b: null }] })).not.toBe(canonicalJsonHash({ a: [1, { c: 'x', b: 0 }] }));
  });

  it('alerts on a positive without eventID nested 5,000 levels deep and goes on to the next record', async () => {
    const withoutId = positiveWith(nestedArrays(5_000), { eventID: undefined });
    const next = JSON.stringify(startExportTaskRecord({ eventID: 'after-the-deep-one' }));
    const trail = scratchDirectory({ 'deep.json': `{"Records":[${withoutId},${next}]}` });
    try {
      const run = await runCli(['scan', '--quiet', trail.path]);
      expect(run.code).toBe(0);
      expect(run.alerts).toHaveLength(2);
      expect(run.alerts[1].event.id).toBe('after-the-deep-one');
      expect(run.stderr).toMatch(/scanned 1 file with 1 rule: 2 records, 2 alerts, 0 errors/);
    } finally {
      trail.cleanup();
    }
  });
});

export { gzipSync };

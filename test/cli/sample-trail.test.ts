import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { REPO_ROOT, scratchDirectory } from './cli-harness';

const TRAIL = join(REPO_ROOT, 'samples', 'trail');
const SOURCE = join(REPO_ROOT, 'samples', 'source');

function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((name) => statSync(join(root, name)).isFile())
    .map((name) => relative(root, join(root, name)))
    .sort();
}

/** gzip bytes depend on the zlib build; the JSON inside is what must match. */
const contentOf = (file: string): string => {
  const bytes = readFileSync(file);
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
};

describe('samples/trail', () => {
  it('is exactly what samples/build-sample-trail.ts makes from samples/source', () => {
    const out = scratchDirectory({});
    try {
      const build = spawnSync(process.execPath, ['bin/run-ts.js', 'samples/build-sample-trail.ts', '--out', out.path], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      });
      expect(build.stderr).toBe('');
      expect(build.status).toBe(0);
      expect(listFiles(TRAIL)).toEqual(listFiles(out.path));
      for (const file of listFiles(out.path)) {
        expect([file, contentOf(join(TRAIL, file))]).toEqual([file, contentOf(join(out.path, file))]);
      }
    } finally {
      out.cleanup();
    }
  });

  it('gzips the CloudTrail log and digest, as AWS delivers them', () => {
    const gzipped = listFiles(TRAIL).filter((file) => file.endsWith('.gz'));
    expect(gzipped).toHaveLength(2);
    for (const file of gzipped) expect([...readFileSync(join(TRAIL, file)).subarray(0, 2)]).toEqual([0x1f, 0x8b]);
  });

  it('repeats the SSO user’s export in the EventBridge capture with the identical record, to show the per-run dedupe', () => {
    type CloudTrailRecord = { eventID: string };
    const trail = JSON.parse(readFileSync(join(SOURCE, 'us-east-1-trail-log.json'), 'utf8')) as { Records: CloudTrailRecord[] };
    const events = JSON.parse(readFileSync(join(SOURCE, 'eventbridge-events.json'), 'utf8')) as { detail: CloudTrailRecord }[];
    const repeated = events.map((event) => event.detail).filter((detail) => trail.Records.some((record) => record.eventID === detail.eventID));
    expect(repeated).toEqual([trail.Records.find((record) => record.eventID === '5e1a7c93-8b2d-4f3e-a6c4-7d9e1f3a5b63')]);
  });

  it('uses only example accounts and documentation IP ranges', () => {
    const text = readdirSync(SOURCE).map((name) => readFileSync(join(SOURCE, name), 'utf8')).join('\n');
    const accounts = new Set(text.match(/(?<![\d-])\d{12}(?!\d)/g));
    expect([...accounts].sort()).toEqual(['123456789012', '210987654321']);
    for (const ip of text.match(/"sourceIPAddress": "[^"]+"/g) ?? []) {
      expect(ip).toMatch(/"(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+"/);
    }
  });
});

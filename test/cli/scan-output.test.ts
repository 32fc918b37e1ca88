import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { formatDuration, ProgressLine, renderProgress, REDRAW_INTERVAL_MS } from '../../src/cli/progress';
import { describeS3Error } from '../../src/cli/s3/s3-errors';
import { eventIds, REPO_ROOT, runCli, scratchDirectory, TextSink } from './cli-harness';

describe('progress renderer', () => {
  it('shows objects, bytes, records, alerts and rate; percentage and ETA once the total is known', () => {
    expect(renderProgress({ objects: 12, bytes: 3 * 1024 * 1024, records: 45210, alerts: 1, elapsedMs: 4000 })).toBe(
      '12 objects, 3.0 MB, 45,210 records, 1 alert, 3.0 objects/s',
    );
    expect(renderProgress({ objects: 120, objectsTotal: 480, bytes: 1536, records: 9, alerts: 2, elapsedMs: 40_000 })).toBe(
      '120/480 objects (25%), 1.5 KB, 9 records, 2 alerts, 3.0 objects/s, ETA 2:00',
    );
    expect(renderProgress({ objects: 0, objectsTotal: 10, bytes: 0, records: 0, alerts: 0, elapsedMs: 0 })).toBe(
      '0/10 objects (0%), 0 B, 0 records, 0 alerts, 0.0 objects/s',
    );
    expect(formatDuration(3725)).toBe('1:02:05');
  });

  it('redraws in place at most every 250 ms, and clears itself', () => {
    const sink = new TextSink();
    let now = 1000;
    const line = new ProgressLine(sink, true, () => now);
    const state = () => ({ objects: now, bytes: 0, records: 0, alerts: 0, elapsedMs: 1000 });
    line.update(state);
    now += REDRAW_INTERVAL_MS - 1;
    line.update(state);
    now += 1;
    line.update(state);
    line.clear();
    expect(sink.text.split('\r\x1b[K').filter((part) => part !== '')).toEqual([
      renderProgress({ objects: 1000, bytes: 0, records: 0, alerts: 0, elapsedMs: 1000 }),
      renderProgress({ objects: 1250, bytes: 0, records: 0, alerts: 0, elapsedMs: 1000 }),
    ]);
    expect(sink.text.endsWith('\r\x1b[K')).toBe(true);
    const off = new TextSink();
    new ProgressLine(off, false).update(state, true);
    expect(off.text).toBe('');
  });

  it('draws on a terminal stderr only, and never with --quiet', async () => {
    const run = async (argv: string[], tty: boolean) => {
      const stdout = new TextSink();
      const stderr = Object.assign(new TextSink(), { isTTY: tty });
      await main(argv, { stdout, stderr, cwd: REPO_ROOT });
      return stderr.text;
    };
    expect(await run(['scan', 'samples/trail'], true)).toMatch(/^\r\x1b\[K\d+ objects?, .* records, .*\r\x1b\[Kscanned 4 files/);
    expect(await run(['scan', 'samples/trail'], false)).not.toContain('\r');
    expect(await run(['scan', '--quiet', 'samples/trail'], true)).not.toContain('\r');
  });
});

describe('--format table and --output FILE', () => {
  it('prints a header and one row per alert with time, rule, severity, who, what, where to', async () => {
    const run = await runCli(['scan', '--format', 'table', 'samples/trail']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^TIME +RULE +SEVERITY +WHO +WHAT +WHERE TO$/);
    expect(lines[1]).toMatch(/^2026-11-20T\d\d:\d\d:\d\dZ +\S.* +(low|medium|high|critical) +.*jane\.doe.* +rds:StartExportTask .* +s3:\/\/\S+/);
  });

  it('writes alerts to FILE (created or truncated), stdout stays empty', async () => {
    const dir = scratchDirectory({ 'old.jsonl': 'stale content that must go\n'.repeat(100) });
    try {
      const json = await runCli(['scan', '--output', join(dir.path, 'old.jsonl'), 'samples/trail']);
      expect(json.code).toBe(0);
      expect(json.stdout).toBe('');
      const written = readFileSync(join(dir.path, 'old.jsonl'), 'utf8');
      expect(eventIds({ ...json, stdout: written, alerts: written.trim().split('\n').map((l) => JSON.parse(l)) })).toHaveLength(3);
      await runCli(['scan', '--format=table', `--output=${join(dir.path, 'new.txt')}`, 'samples/trail']);
      expect(readFileSync(join(dir.path, 'new.txt'), 'utf8')).toMatch(/^TIME /);
    } finally {
      dir.cleanup();
    }
  });

  it('exits 2 with a clear message when FILE cannot be written', async () => {
    const dir = scratchDirectory({ 'file': 'x' });
    try {
      const run = await runCli(['scan', '--output', join(dir.path, 'missing-dir', 'alerts.jsonl'), 'samples/trail']);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(`cloudtrail-stream-detector: cannot write alerts to ${join(dir.path, 'missing-dir', 'alerts.jsonl')}: no such file or directory\n`);
      writeFileSync(join(dir.path, 'file'), 'x');
      expect(existsSync(join(dir.path, 'missing-dir'))).toBe(false);
    } finally {
      dir.cleanup();
    }
  });
});

describe('scan option errors', () => {
  it.each([
    [['scan', '--since', '2026-13-01', 's3://b/'], "--since needs a date YYYY-MM-DD, not '2026-13-01'"],
    [['scan', '--since', '2026-11-20', '--until', '2026-11-19', 's3://b/'], '--since 2026-11-20 is after --until 2026-11-19'],
    [['scan', '--accounts', '12345', 's3://b/'], "--accounts needs 12-digit account ids separated by commas, not '12345'"],
    [['scan', '--regions', 'useast1', 's3://b/'], "--regions needs region names separated by commas, not 'useast1'"],
    [['scan', '--concurrency', '0', 's3://b/'], "--concurrency needs a whole number from 1 to 64, not '0'"],
    [['scan', '--format', 'csv', 'x'], "--format needs 'json' or 'table', not 'csv'"],
    [['scan', '--output'], '--output needs a file'],
  ])('exits 2 for %j', async (argv, message) => {
    const run = await runCli(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});

describe('S3 error messages', () => {
  const sdkError = (name: string, status: number, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, ...extra });

  it('names the bucket region for a wrong-region bucket (PermanentRedirect / 301)', () => {
    const error = sdkError('PermanentRedirect', 301, { $response: { statusCode: 301, headers: { 'x-amz-bucket-region': 'eu-central-1' } } });
    expect(describeS3Error(error, 'trail', 'AWSLogs/', 'list', 'us-east-1')).toBe(
      "s3://trail/AWSLogs/: bucket 'trail' is in region eu-central-1, not us-east-1; run with AWS_REGION=eu-central-1",
    );
    expect(describeS3Error(sdkError('Unknown', 301), 'trail', 'AWSLogs/', 'list')).toBe(
      "s3://trail/AWSLogs/: bucket 'trail' is in another region (Unknown); set AWS_REGION to the bucket's region",
    );
  });

  it('access denied and missing bucket name bucket, key and the permission', () => {
    expect(describeS3Error(sdkError('AccessDenied', 403), 'trail', 'AWSLogs/1/CloudTrail/x.json.gz', 'get')).toBe(
      "s3://trail/AWSLogs/1/CloudTrail/x.json.gz: access denied (AccessDenied) to bucket 'trail'; the credentials need s3:GetObject (and kms:Decrypt for SSE-KMS trails)",
    );
    expect(describeS3Error(sdkError('NoSuchBucket', 404), 'gone', '', 'list')).toBe("s3://gone/: no such bucket 'gone' (NoSuchBucket)");
    expect(describeS3Error(sdkError('SlowDown', 503, { message: 'Please reduce your request rate.' }), 'trail', 'k', 'get')).toBe(
      's3://trail/k: cannot read (SlowDown, HTTP 503): Please reduce your request rate.',
    );
  });
});

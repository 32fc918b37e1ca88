import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { formatDuration, ProgressLine, renderProgress, REDRAW_INTERVAL_MS } from '../../src/cli/progress';
import { describeS3Error } from '../../src/cli/s3/s3-errors';
import { startExportTaskRecord } from '../support/cloudtrail-records';
import { eventIds, REPO_ROOT, runCli, scratchDirectory, TextSink } from './cli-harness';
import { replayTerminal } from './terminal-screen';

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

  it('steps aside for other lines and comes back up to date; never wider than the terminal', async () => {
    const sink = Object.assign(new TextSink(), { isTTY: true, columns: 40 });
    let alerts = 1;
    const line = new ProgressLine(sink, true, () => 0);
    const state = () => ({ objects: 3, bytes: 2048, records: 10, alerts, elapsedMs: 1000 });
    line.update(state);
    await line.around(async () => {
      alerts = 2;
      sink.write('an alert\n');
    });
    const draws = sink.text.split('\r\x1b[K');
    expect(draws).toEqual(['', '3 objects, 2.0 KB, 10 records, 1 alert…', 'an alert\n', '3 objects, 2.0 KB, 10 records, 2 alert…']);
    expect(draws.every((draw) => draw.length <= 39)).toBe(true);
    const hidden = new TextSink();
    await new ProgressLine(hidden, true).around(async () => {
      hidden.write('no line drawn yet\n');
    });
    expect(hidden.text).toBe('no line drawn yet\n');
  });

  it('on one terminal for stdout and stderr, no progress text is left on an alert line, and local bytes are counted', async () => {
    const screen = Object.assign(new TextSink(), { isTTY: true, columns: 200 });
    let now = 0;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => (now += 1000)); // every object redraws
    try {
      expect(await main(['scan', 'samples/trail'], { stdout: screen, stderr: screen, cwd: REPO_ROOT })).toBe(0);
    } finally {
      clock.mockRestore();
    }
    const { committed, current } = replayTerminal(screen.text);
    expect(committed.filter((text) => text.includes('objects/s'))).toEqual([]);
    expect(current).toBe('');
    expect(committed.slice(0, 3).map((text) => JSON.parse(text).event.id)).toHaveLength(3);
    expect(screen.text).toMatch(/\n\r\x1b\[K\d+ objects?, \d+\.\d KB, /);
  });

  it('draws on a terminal stderr only, and never with --quiet', async () => {
    const run = async (argv: string[], tty: boolean) => {
      const stdout = new TextSink();
      const stderr = Object.assign(new TextSink(), { isTTY: tty });
      await main(argv, { stdout, stderr, cwd: REPO_ROOT });
      return stderr.text;
    };
    // Drawn at least once (more often on a slow machine: it is redrawn on a timer), then cleared for the summary.
    expect(await run(['scan', 'samples/trail'], true)).toMatch(/^(\r\x1b\[K\d+ objects?, [^\r\n]* records, [^\r\n]*)+\r\x1b\[Kscanned 4 files/);
    expect(await run(['scan', 'samples/trail'], false)).not.toContain('\r');
    expect(await run(['scan', '--quiet', 'samples/trail'], true)).not.toContain('\r');
  });
});

describe('--format table and --output FILE', () => {
  /** A stream that looks like a terminal of `columns` columns. */
  const terminal = (columns?: number) => Object.assign(new TextSink(), { isTTY: true, columns });
  const withoutColour = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

  it('prints a header, then per alert a row (time, severity, account, region, rule) and who / what / to lines, within 100 columns', async () => {
    const run = await runCli(['scan', '--format', 'table', 'samples/trail']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME \(UTC\) +SEVERITY +ACCOUNT +REGION +RULE$/);
    expect(lines.slice(1, 5)).toEqual([
      '2026-11-20T03:12:48Z  low       123456789012  us-east-1       AWS RDS Snapshot Export',
      '    who   jane.doe@example.com (AWSReservedSSO_DataEngineer_5f1e2d3c4b5a6978)',
      '    what  rds:StartExportTask snapshot orders-prod-manual-20261120',
      '    to    s3://example-corp-rds-exports/orders/2026-11-20',
    ]);
    expect(lines.filter((line) => /^2026-/.test(line)).map((line) => line.split(/ +/).slice(2, 4))).toEqual([
      ['123456789012', 'us-east-1'],
      ['210987654321', 'eu-west-1'],
      ['123456789012', 'us-east-1'],
    ]);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(100);
    expect(run.stdout).not.toContain('\x1b');
  });

  it('wraps long values under their column and cuts them with … past four lines; a narrower terminal gets narrower lines', async () => {
    const longSession = `session-${'x'.repeat(400)}`;
    const record = startExportTaskRecord({
      eventID: 'long-values',
      userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::111122223333:assumed-role/exporter/${longSession}`, accountId: '111122223333' },
      requestParameters: { sourceArn: 'arn:aws:rds:eu-west-1:111122223333:snapshot:orders', s3BucketName: 'b', s3Prefix: `deep/${'p/'.repeat(30)}` },
    });
    const dir = scratchDirectory({ 'long.json': JSON.stringify(record) });
    try {
      const run = await runCli(['scan', '--format', 'table', 'long.json'], dir.path);
      const lines = run.stdout.trimEnd().split('\n');
      expect(Math.max(...lines.map((line) => line.length))).toBe(100);
      const who = lines.slice(lines.findIndex((line) => line.startsWith('    who ')), lines.findIndex((line) => line.startsWith('    what ')));
      expect(who).toHaveLength(4);
      expect(who[3]?.endsWith('…')).toBe(true);
      expect(who.slice(1).every((line) => line.startsWith(' '.repeat(10)))).toBe(true);
      const to = lines.slice(lines.findIndex((line) => line.startsWith('    to ')));
      expect(to.join('').replace(/ +/g, '')).toBe(`tos3://b/deep/${'p/'.repeat(30)}`);

      const stdout = terminal(80);
      await main(['scan', '--format', 'table', 'long.json'], { stdout, stderr: new TextSink(), cwd: dir.path });
      expect(Math.max(...withoutColour(stdout.text).trimEnd().split('\n').map((line) => line.length))).toBe(80);
    } finally {
      dir.cleanup();
    }
  });

  it('colours the severity on a terminal only, and never with NO_COLOR or TERM=dumb', async () => {
    const table = async (stdout: TextSink) => {
      await main(['scan', '--format', 'table', 'samples/trail'], { stdout, stderr: new TextSink(), cwd: REPO_ROOT });
      return stdout.text;
    };
    const coloured = await table(terminal(120));
    expect(coloured).toContain('2026-11-20T03:12:48Z  \x1b[36mlow\x1b[0m       123456789012');
    expect(withoutColour(coloured)).toBe((await runCli(['scan', '--format', 'table', 'samples/trail'])).stdout);
    for (const [name, value] of [['NO_COLOR', '1'], ['TERM', 'dumb']] as const) {
      const saved = process.env[name];
      process.env[name] = value;
      try {
        expect(await table(terminal(120))).not.toContain('\x1b');
      } finally {
        if (saved === undefined) delete process.env[name];
        else process.env[name] = saved;
      }
    }
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
    [['scan', '--output'], '--output needs FILE'],
    [['scan', '-o'], '-o (--output) needs FILE'],
    [['scan', '--quiet=yes', 'x'], '--quiet takes no value'],
    [['scan', '-', '-'], '- (standard input) given more than once'],
    [['scan', '--exceptions-for-all', 'x'], '--exceptions-for-all needs at least one --exceptions FILE'],
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

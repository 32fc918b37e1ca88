import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { setEnvironment } from '../support/environment';
import { startLocalS3 } from '../support/local-s3';
import { localS3Environment, startCountingProxy, uploadObjects } from './s3-trail-fixture';
import { canonicalJsonHash } from '../../src/cli/alert-dedupe';
import { main } from '../../src/cli/main';
import { PACKAGED_RULES_DIRECTORY } from '../../src/cli/scan-command';
import { startExportTaskRecord } from '../support/cloudtrail-records';
import { CLI, REPO_ROOT, parseAlerts, runCli, scratchDirectory, TextSink } from './cli-harness';

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

/** What a terminal would act on: ESC, BEL, other C0/C1 controls except the newline that ends each line, DEL. */
const TERMINAL_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('scan on hostile input: names written to the terminal (issue 10, case 5)', () => {
  const packagedRule = readFileSync(join(PACKAGED_RULES_DIRECTORY, 'exfiltration_rds_snapshot_export.toml'), 'utf8');
  const unsupportedRule = packagedRule
    .replace(/rule_id = "[^"]+"/, 'rule_id = "00000000-0000-4000-8000-0000000000bb"')
    .replace('type = "query"', 'type = "machine_learning"')
    .replace('name = "AWS RDS Snapshot Export"', 'name = "Evil\\u001b]0;owned\\u0007 rule"');
  const forgedSummary = 'scanned 99 files with 1 rule: 0 records, 0 alerts, 0 errors';

  it('escapes ESC, BEL and newlines in file names and rule names instead of passing them to the terminal', async () => {
    const trail = scratchDirectory({
      'retitle\u001b]0;owned\u0007.json': '{"Records": [',
      'clear\u001b[2J\u001b[H.json': 'not json at all',
      [`forged\n${forgedSummary}\n.json`]: '[1]',
      'rules/export.toml': packagedRule,
      'rules/evil\u001b[31m.toml': unsupportedRule,
    });
    try {
      const run = await runCli(['scan', '--quiet', '--rules', join(trail.path, 'rules'), trail.path]);
      expect(run.code).toBe(1);
      const lines = run.stderr.trimEnd().split('\n');
      for (const line of lines) expect(line).not.toMatch(TERMINAL_CONTROL);
      // One line per problem, and the only summary line is the real one, last.
      expect(lines.filter((line) => line.startsWith('scanned '))).toEqual([lines[lines.length - 1]]);
      expect(lines[lines.length - 1]).toMatch(/^scanned 3 files .*with 1 rule: .*3 errors$/);
      expect(run.stderr).toContain('retitle\\u{001b}]0;owned\\u{0007}.json');
      expect(run.stderr).toContain('clear\\u{001b}[2J\\u{001b}[H.json');
      expect(run.stderr).toContain(`forged\\u{000a}${forgedSummary}\\u{000a}.json`);
      expect(run.stderr).toContain('"Evil\\u{001b}]0;owned\\u{0007} rule" (');
      expect(run.stderr).toContain('evil\\u{001b}[31m.toml');
    } finally {
      trail.cleanup();
    }
  });

  it('escapes a hostile name in a usage error', async () => {
    const run = await runCli(['scan', '--bogus\u001b[2J', 'x']);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toMatch(TERMINAL_CONTROL);
    expect(run.stderr).toContain("unknown option '--bogus\\u{001b}[2J'");
  });

  it('escapes a hostile command name in a usage error, and in help COMMAND', async () => {
    for (const argv of [['\u001b]0;owned\u0007'], ['help', 'scan\u001b[2J']]) {
      const run = await runCli(argv);
      expect(run.code).toBe(2);
      expect(run.stderr).not.toMatch(TERMINAL_CONTROL);
      expect(run.stderr).toMatch(/(unknown command '\\u\{001b\}\]0;owned\\u\{0007\}'|no command 'scan\\u\{001b\}\[2J')/);
    }
  });

  it('escapes names in "no CloudTrail records" and "not a CloudTrail record" lines', async () => {
    const record = JSON.stringify(startExportTaskRecord({ eventID: 'beside-the-other' }));
    const trail = scratchDirectory({
      'empty\u001b[2J.json': '{"foo":1}',
      [`mixed\n${forgedSummary}\n.jsonl`]: `${record}\n{"bar":2}\n`,
    });
    try {
      const run = await runCli(['scan', '--quiet', '.'], trail.path);
      expect(run.code).toBe(0);
      const lines = run.stderr.trimEnd().split('\n');
      for (const line of lines) expect(line).not.toMatch(TERMINAL_CONTROL);
      expect(lines).toContain('empty\\u{001b}[2J.json: no CloudTrail records (a JSON object without eventVersion, eventName or eventSource)');
      expect(lines).toContain(`mixed\\u{000a}${forgedSummary}\\u{000a}.jsonl:line 2: not a CloudTrail record (no eventVersion, eventName or eventSource), skipped`);
      expect(lines.filter((line) => line.startsWith('scanned '))).toEqual([lines[lines.length - 1]]);
    } finally {
      trail.cleanup();
    }
  });
});

/** 1 GiB of zeros as 64 gzip members of 16 MiB each: about 1 MB, built without ever holding 1 GiB. */
function gzipBomb(): Buffer {
  const member = gzipSync(Buffer.alloc(16 * 1024 * 1024));
  return Buffer.concat(Array.from({ length: 64 }, () => member));
}

/** A CloudTrail log whose first record is a positive, padded with negatives to about `size` bytes of JSON. */
function paddedLog(eventId: string, size: number): string {
  const negative = JSON.stringify(startExportTaskRecord({ eventName: 'DescribeDBSnapshots', eventID: 'negative' }));
  const count = Math.ceil(size / negative.length);
  return `{"Records":[${JSON.stringify(startExportTaskRecord({ eventID: eventId }))}${`,${negative}`.repeat(count)}]}`;
}


describe('scan on hostile input: bounded decompression (issue 10, case 3)', () => {
  jest.setTimeout(120_000);

  /** Runs the real CLI in its own process, reporting its peak memory (test/support/report-peak-memory.js). */
  function scanInProcess(args: readonly string[], environment: Record<string, string | undefined>): Promise<{ code: number; stderr: string; alerts: Record<string, any>[]; peakBytes: number }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--require', join(__dirname, '../support/report-peak-memory.js'), CLI, ...args], {
        cwd: REPO_ROOT,
        // Undefined removes a variable (spawn would pass the text "undefined").
        env: Object.fromEntries(Object.entries({ ...process.env, ...environment }).filter(([, value]) => value !== undefined)),
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => {
        const peak = /peak-rss-bytes=(\d+)\s*$/.exec(stderr);
        resolve({ code: code ?? -1, stderr: stderr.replace(/peak-rss-bytes=\d+\s*$/, ''), alerts: parseAlerts(stdout), peakBytes: Number(peak?.[1] ?? Infinity) });
      });
    });
  }

  it.each([
    ['on worker threads', '2'],
    ['on the main thread', '0'],
  ])('stops a 1 MB gzip of 1 GiB of zeros at the default 256 MiB limit %s, with one error naming file and limit', async (_where, workers) => {
    const trail = scratchDirectory({ 'bomb.json.gz': gzipBomb(), 'next.json': JSON.stringify(startExportTaskRecord({ eventID: 'after-the-bomb' })) });
    try {
      const run = await scanInProcess(['scan', '--quiet', trail.path], { CTSD_SCAN_WORKERS: workers });
      expect(run.code).toBe(1);
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines.filter((line) => line.includes('bomb.json.gz'))).toEqual([expect.stringMatching(/bomb\.json\.gz: holds more than 256 MiB of data, the per-object limit \(--max-object-size\)/)]);
      expect(run.stderr).not.toMatch(/gzip|string/i);
      expect(run.alerts.map((alert) => alert.event.id)).toEqual(['after-the-bomb']);
      // Inflating it all took 3.3 GB; within the limit, the content and its text are what is held.
      expect(run.peakBytes).toBeLessThan(1.5 * 1024 ** 3);
    } finally {
      trail.cleanup();
    }
  });

  it('applies --max-object-size, scans the records within it, and inflates each object once', async () => {
    const restore = setEnvironment({ CTSD_SCAN_WORKERS: '0' });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const inflateCalls = jest.spyOn(require('../../src/engine/input/inflate') as typeof import('../../src/engine/input/inflate'), 'inflateObject');
    const trail = scratchDirectory({
      'big.json.gz': gzipSync(paddedLog('first-of-big', 3 * 1024 * 1024)),
      // Over the limit by less than the read allowance (1 % + 64 KiB): read, and cut at the limit.
      'plain.json': paddedLog('first-of-plain', 1024 * 1024 + 20_000),
      'far-too-big.json': paddedLog('not-read', 2 * 1024 * 1024),
    });
    try {
      const run = await runCli(['scan', '--quiet', '--max-object-size', '1M', trail.path]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/big\.json\.gz: holds more than 1 MiB of data, the per-object limit \(--max-object-size\); the records within the limit were scanned/);
      expect(run.stderr).toMatch(/plain\.json: holds more than 1 MiB of data/);
      expect(run.stderr).toMatch(/far-too-big\.json: is \d+ bytes, more than the per-object limit of 1 MiB \(--max-object-size\); not read/);
      expect(run.alerts.map((alert) => alert.event.id).sort()).toEqual(['first-of-big', 'first-of-plain']);
      // Once per object read: never a second time after a failure.
      expect(inflateCalls).toHaveBeenCalledTimes(2);
    } finally {
      inflateCalls.mockRestore();
      trail.cleanup();
      restore();
    }
  });

  it('refuses a bad --max-object-size', async () => {
    const run = await runCli(['scan', '--max-object-size', '10G', 'x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--max-object-size needs a size from 1M to 512M");
  });

  it('stops six gzip bombs over s3:// at the limit, in memory set by the limit and not by what they inflate to, and escapes their keys', async () => {
    const bucket = 'bomb-archive';
    const s3 = await startLocalS3(bucket);
    const folder = 'AWSLogs/111111111111/CloudTrail/us-east-1/2026/11/20/';
    const bomb = gzipBomb();
    const objects: Record<string, Uint8Array> = {};
    for (let n = 0; n < 6; n += 1) objects[`${folder}111111111111_CloudTrail_us-east-1_20261120T031${n}Z_bomb${n}\u001b[2J.json.gz`] = bomb;
    objects[`${folder}111111111111_CloudTrail_us-east-1_20261120T0320Z_next.json.gz`] = gzipSync(paddedLog('after-the-s3-bombs', 1000));
    await uploadObjects(s3.endpoint, bucket, objects);
    // s3rver lists no folders (delimiter): the fixture's proxy answers those listings from the keys.
    const proxy = await startCountingProxy(s3.endpoint, { folders: { bucket, listKeys: (prefix) => s3.listObjects(prefix) } });
    try {
      // A 32 MiB limit: the six bombs inflate to 6 GiB, the bound (prepareEntries) is 8 limits with 2 workers, so memory
      // well under 1 GiB shows the limit holds. At the 256 MiB default the same bound is about 2 GiB, and where it lands
      // within it depends on when the collector runs (2.0 to 2.5 GiB measured), too close to assert.
      const run = await scanInProcess(['scan', '--quiet', '--max-object-size', '32M', `s3://${bucket}/AWSLogs/`], { ...localS3Environment(proxy.endpoint), CTSD_SCAN_WORKERS: '2' });
      expect(run.code).toBe(1);
      const bombLines = run.stderr.split('\n').filter((line) => line.includes('_bomb'));
      expect(bombLines).toHaveLength(6);
      for (const line of bombLines) expect(line).toMatch(/_bomb\d\\u\{001b\}\[2J\.json\.gz: holds more than 32 MiB of data, the per-object limit/);
      expect(run.stderr).not.toMatch(TERMINAL_CONTROL);
      expect(run.alerts.map((alert) => alert.event.id)).toEqual(['after-the-s3-bombs']);
      expect(run.peakBytes).toBeLessThan(1024 ** 3);
    } finally {
      await proxy.stop();
      await s3.stop();
    }
  });
});

describe('scan on hostile input: damaged gzip keeps its intact records (issue 10, case 4)', () => {
  const positive = (eventId: string) => JSON.stringify(startExportTaskRecord({ eventID: eventId }));

  it('scans the lines before the cut of a truncated .jsonl.gz and names the byte offset', async () => {
    const lines = [positive('before-the-cut'), ...Array.from({ length: 2000 }, (_, n) => positive(`line-${n}`).replace('StartExportTask', 'DescribeDBSnapshots'))];
    const whole = gzipSync(`${lines.join('\n')}\n`);
    const trail = scratchDirectory({ 'cut.jsonl.gz': whole.subarray(0, Math.floor(whole.length / 2)) });
    try {
      const run = await runCli(['scan', '--quiet', trail.path]);
      expect(run.code).toBe(1);
      expect(run.alerts.map((alert) => alert.event.id)).toEqual(['before-the-cut']);
      expect(run.stderr).toMatch(new RegExp(`cut\\.jsonl\\.gz: gzip data damaged at or after byte offset \\d+ of ${Math.floor(whole.length / 2)} \\(unexpected end of file\\); the records before it were scanned`));
      expect(run.stderr).toMatch(/1 file with 1 rule: \d+ records, 1 alert, 1 error$/m);
    } finally {
      trail.cleanup();
    }
  });

  it('scans the records before the cut of a truncated CloudTrail log', async () => {
    const whole = gzipSync(paddedLog('first-record', 400_000));
    const trail = scratchDirectory({ 'cut.json.gz': whole.subarray(0, Math.floor(whole.length * 0.6)) });
    try {
      const run = await runCli(['scan', '--quiet', trail.path]);
      expect(run.code).toBe(1);
      expect(run.alerts.map((alert) => alert.event.id)).toEqual(['first-record']);
      expect(run.stderr).toMatch(/cut\.json\.gz: gzip data damaged at or after byte offset \d+/);
    } finally {
      trail.cleanup();
    }
  });

  it('reads a gzip member followed by junk bytes whole, with a warning and no error', async () => {
    const member = gzipSync(`${positive('before-the-junk')}\n${positive('last-of-the-member')}\n`);
    const trail = scratchDirectory({ 'junk.jsonl.gz': Buffer.concat([member, Buffer.from('\u0000junk!\n')]) });
    try {
      const run = await runCli(['scan', '--quiet', trail.path]);
      expect(run.code).toBe(0);
      expect(run.alerts.map((alert) => alert.event.id)).toEqual(['before-the-junk', 'last-of-the-member']);
      expect(run.stderr).toContain(`junk.jsonl.gz: warning: 7 byte(s) of trailing data after the end of the gzip data at byte offset ${member.length} were ignored`);
      expect(run.stderr).toMatch(/2 alerts, 0 errors$/m);
    } finally {
      trail.cleanup();
    }
  });
});

describe('scan on hostile input: standard input is inflated, bounded and salvaged like a file', () => {
  const positive = (eventId: string) => JSON.stringify(startExportTaskRecord({ eventID: eventId }));

  async function scanStdin(input: Uint8Array, options: readonly string[] = []) {
    const stdout = new TextSink();
    const stderr = new TextSink();
    const code = await main(['scan', '--quiet', ...options, '-'], { stdout, stderr, cwd: REPO_ROOT, stdin: Readable.from([Buffer.from(input)]) });
    return { code, stderr: stderr.text, ids: parseAlerts(stdout.text).map((alert) => alert.event.id as string) };
  }

  it('scans the lines before the cut of a truncated gzip on standard input, naming <stdin> and the byte offset', async () => {
    const lines = [positive('stdin-before-the-cut'), ...Array.from({ length: 2000 }, (_, n) => positive(`line-${n}`).replace('StartExportTask', 'DescribeDBSnapshots'))];
    const whole = gzipSync(`${lines.join('\n')}\n`);
    const run = await scanStdin(whole.subarray(0, Math.floor(whole.length / 2)));
    expect(run.code).toBe(1);
    expect(run.ids).toEqual(['stdin-before-the-cut']);
    expect(run.stderr).toMatch(new RegExp(`^<stdin>: gzip data damaged at or after byte offset \\d+ of ${Math.floor(whole.length / 2)} \\(unexpected end of file\\); the records before it were scanned`, 'm'));
  });

  it('reads a gzip member followed by junk on standard input whole, with a warning', async () => {
    const member = gzipSync(`${positive('stdin-member')}\n`);
    const run = await scanStdin(Buffer.concat([member, Buffer.from('junk')]));
    expect(run.code).toBe(0);
    expect(run.ids).toEqual(['stdin-member']);
    expect(run.stderr).toContain(`<stdin>: warning: 4 byte(s) of trailing data after the end of the gzip data at byte offset ${member.length} were ignored`);
  });

  it('reads an endless standard input only up to the per-object limit', async () => {
    const restore = setEnvironment({ CTSD_SCAN_WORKERS: '0' });
    const negative = `,${JSON.stringify(startExportTaskRecord({ eventName: 'DescribeDBSnapshots', eventID: 'negative' }))}`.repeat(200);
    let sent = 0;
    const endless = Readable.from(
      (function* () {
        yield Buffer.from(`{"Records":[${positive('endless-first')}`);
        for (;;) {
          const chunk = Buffer.from(negative);
          sent += chunk.length;
          yield chunk;
        }
      })(),
    );
    try {
      const stdout = new TextSink();
      const stderr = new TextSink();
      const code = await main(['scan', '--quiet', '--max-object-size', '1M', '-'], { stdout, stderr, cwd: REPO_ROOT, stdin: endless });
      expect(code).toBe(1);
      expect(parseAlerts(stdout.text).map((alert) => alert.event.id)).toEqual(['endless-first']);
      expect(stderr.text).toContain('<stdin>: holds more than 1 MiB of data, the per-object limit (--max-object-size)');
      // The read stopped just past the limit (1 MiB + 1 % + 64 KiB as stored), give or take the stream's buffer.
      expect(sent).toBeLessThan(2 * 1024 * 1024);
    } finally {
      endless.destroy();
      restore();
    }
  });

  it.each([
    ['plain', (text: string) => Buffer.from(text)],
    ['gzipped', (text: string) => gzipSync(text)],
  ])('stops %s standard input at --max-object-size and scans the records within it', async (_kind, encode) => {
    const restore = setEnvironment({ CTSD_SCAN_WORKERS: '0' });
    try {
      const run = await scanStdin(encode(paddedLog('stdin-first', 3 * 1024 * 1024)), ['--max-object-size', '1M']);
      expect(run.code).toBe(1);
      expect(run.ids).toEqual(['stdin-first']);
      expect(run.stderr.split('\n').filter((line) => line.startsWith('<stdin>'))).toEqual([
        '<stdin>: holds more than 1 MiB of data, the per-object limit (--max-object-size); the records within the limit were scanned, the rest was not read',
      ]);
    } finally {
      restore();
    }
  });
});

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { main } from '../../src/cli/main';
import { PACKAGED_RULES_DIRECTORY } from '../../src/cli/scan-command';
import { startExportTaskRecord } from '../support/cloudtrail-records';
import { eventIds, parseAlerts, REPO_ROOT, runCli, scratchDirectory, spawnCli } from './cli-harness';

/** The successful rds:StartExportTask events in samples/trail (see samples/README.md). */
const SAMPLE_ALERT_EVENT_IDS = [
  '5e1a7c93-8b2d-4f3e-a6c4-7d9e1f3a5b63', // SSO user jane.doe, us-east-1 (also in the EventBridge capture)
  'a4f0c2e8-6b1d-4e3a-9c5f-3d7b9e1a5c28', // IAM user analytics-exporter, eu-west-1
  'e8d4a6c2-0f5b-4c7e-9a9d-7b1f3c5e9a62', // role data-platform-export, Aurora cluster export with exportOnly
];

const exportRecord = (eventID: string) => startExportTaskRecord({ eventID });

const SCAN_USAGE = 'Usage: cloudtrail-stream-detector scan [options] PATH...';

describe('scan samples/trail', () => {
  it('alerts once for each successful StartExportTask, in file order, and summarises on stderr', async () => {
    const run = await runCli(['scan', 'samples/trail']);
    expect(run.code).toBe(0);
    expect(eventIds(run)).toEqual(SAMPLE_ALERT_EVENT_IDS);
    expect(run.stderr).toBe(
      'scanned 4 files with 1 rule: 15 records, 1 digest skipped, 3 alerts (1 repeat suppressed), 0 errors\n',
    );
  });

  it('prints the alert document itself: rule, severity, the ECS event, one receivedAt for the run', async () => {
    const before = Date.now();
    const { alerts } = await runCli(['scan', 'samples/trail']);
    const [first] = alerts;
    expect(first?.kibana.alert.rule.rule_id).toBe('119c8877-8613-416d-a98a-96b6664ee73a');
    expect(first?.event).toMatchObject({ kind: 'signal', provider: 'rds.amazonaws.com', action: 'StartExportTask', outcome: 'success' });
    const timestamps = new Set(alerts.map((alert) => alert['@timestamp']));
    expect(timestamps.size).toBe(1);
    expect(Date.parse([...timestamps][0] as string)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('keeps the raw record text from the trail file as event.original', async () => {
    const { alerts } = await runCli(['scan', 'samples/trail']);
    const original = alerts[0]?.event.original as string;
    expect(original.startsWith('{"eventVersion":"1.09","userIdentity":')).toBe(true);
    expect(JSON.parse(original).eventID).toBe(SAMPLE_ALERT_EVENT_IDS[0]);
  });

  it('works the same from the real executable, from any working directory', () => {
    const run = spawnCli(['scan', join(REPO_ROOT, 'samples', 'trail')], '/');
    expect(run.stderr).toContain('3 alerts');
    expect(run.code).toBe(0);
    expect(eventIds(run)).toEqual(SAMPLE_ALERT_EVENT_IDS);
  });

  it('npm start runs exactly this scan', () => {
    const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    expect(packageJson.scripts.start).toBe('node bin/cloudtrail-stream-detector.js scan samples/trail');
  });

  it('resolves the packaged rules from the package, not the working directory', () => {
    expect(PACKAGED_RULES_DIRECTORY).toBe(join(REPO_ROOT, 'rules'));
  });
});

describe('scan: unreadable inputs', () => {
  it('exits 1 but still prints the other alerts when one file is broken, naming file and line', async () => {
    const dir = scratchDirectory({
      'a-good.jsonl': `${JSON.stringify(exportRecord('good-1'))}\n`,
      'b-broken.json': `{\n  "Records": [\n    {"eventID": "x"},,\n  ]\n}\n`,
      'c-partly-broken.jsonl': [JSON.stringify(exportRecord('good-2')), '{"eventName": "StartExportTask"', JSON.stringify(exportRecord('good-3'))].join('\n'),
    });
    try {
      const run = await runCli(['scan', dir.path]);
      expect(run.code).toBe(1);
      expect(eventIds(run)).toEqual(['good-1', 'good-2', 'good-3']);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toEqual([
        `${join(dir.path, 'b-broken.json')}:line 3, column 22: invalid JSON: expected a JSON value, found ','`,
        `${join(dir.path, 'c-partly-broken.jsonl')}:line 2, column 32: invalid JSON: unexpected end of input, expected ',' or '}' after property value`,
        'scanned 3 files with 1 rule: 3 records, 3 alerts, 2 errors',
      ]);
    } finally {
      dir.cleanup();
    }
  });

  it('reports a record that is not an object by its position, and goes on', async () => {
    const dir = scratchDirectory({ 'log.json': JSON.stringify({ Records: [exportRecord('r0'), 'oops', exportRecord('r2')] }) });
    try {
      const run = await runCli(['scan', 'log.json'], dir.path);
      expect(run.code).toBe(1);
      expect(eventIds(run)).toEqual(['r0', 'r2']);
      expect(run.stderr).toContain('log.json:Records[1]: a CloudTrail record must be a JSON object, found a string ("oops")\n');
    } finally {
      dir.cleanup();
    }
  });

  it('exits 1 for a missing PATH after scanning the others', async () => {
    const dir = scratchDirectory({ 'one.json': JSON.stringify(exportRecord('only')) });
    try {
      const run = await runCli(['scan', 'missing.json', 'one.json'], dir.path);
      expect(run.code).toBe(1);
      expect(eventIds(run)).toEqual(['only']);
      expect(run.stderr.split('\n')[0]).toBe('missing.json: no such file or directory');
    } finally {
      dir.cleanup();
    }
  });
});

describe('scan: what is read, in which order', () => {
  it('reads directories recursively in name order, skips hidden entries, and reads each file once', async () => {
    const dir = scratchDirectory({
      'b.json': JSON.stringify(exportRecord('b')),
      'a.json.gz': gzipSync(JSON.stringify({ Records: [exportRecord('a')] })),
      'sub/c.jsonl': JSON.stringify(exportRecord('c')),
      '.hidden.json': JSON.stringify(exportRecord('hidden')),
      '.git/objects.json': JSON.stringify(exportRecord('hidden-dir')),
    });
    try {
      const run = await runCli(['scan', '.', 'b.json'], dir.path);
      expect(eventIds(run)).toEqual(['a', 'b', 'c']);
      expect(run.stderr).toMatch(/^scanned 3 files /);
      const explicit = await runCli(['scan', '.hidden.json'], dir.path);
      expect(eventIds(explicit)).toEqual(['hidden']);
    } finally {
      dir.cleanup();
    }
  });

  it('skips documentation files inside directories but reads them when named', async () => {
    const dir = scratchDirectory({
      'trail/INDEX.md': '# what these records are',
      'trail/LICENSE.txt': 'Apache-2.0',
      'trail/a.json': JSON.stringify(exportRecord('a')),
    });
    try {
      const run = await runCli(['scan', 'trail'], dir.path);
      expect(run.code).toBe(0);
      expect(eventIds(run)).toEqual(['a']);
      expect(run.stderr).toMatch(/^scanned 1 file \(2 non-data files skipped\) with 1 rule: 1 record, 1 alert, 0 errors/m);
      const named = await runCli(['scan', 'trail/INDEX.md'], dir.path);
      expect(named.code).toBe(1);
      expect(named.stderr).toContain('trail/INDEX.md:line 1, column 1: invalid JSON');
    } finally {
      dir.cleanup();
    }
  });

  it('alerts once per rule and eventID, even across files and formats', async () => {
    const record = exportRecord('same-event');
    const envelope = { version: '0', id: 'eb-1', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.rds', detail: record };
    const dir = scratchDirectory({
      '1.json': JSON.stringify({ Records: [record, record] }),
      '2.jsonl': JSON.stringify(envelope),
    });
    try {
      const run = await runCli(['scan', dir.path]);
      expect(eventIds(run)).toEqual(['same-event']);
      expect(run.stderr).toContain('1 alert (2 repeats suppressed)');
    } finally {
      dir.cleanup();
    }
  });

  it('dedupes records without eventID on their content, whatever the spacing, key order or envelope', async () => {
    const { eventID: _dropped, ...withoutId } = exportRecord('unused');
    const reordered = Object.fromEntries(Object.entries(withoutId).reverse());
    const different = { ...withoutId, eventTime: '2026-11-20T04:00:00Z' };
    const dir = scratchDirectory({
      'a.json': JSON.stringify(withoutId, null, 2),
      'b.jsonl': [JSON.stringify(reordered), JSON.stringify(different)].join('\n'),
      // Without eventID the alert's event.id falls back to the envelope id, which must not defeat the dedupe.
      'c.jsonl': JSON.stringify({ id: 'eb-9', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.rds', detail: withoutId }),
    });
    try {
      const run = await runCli(['scan', dir.path]);
      expect(run.alerts).toHaveLength(2);
      expect(run.alerts.map((alert) => JSON.parse(alert.event.original).eventTime)).toEqual([
        withoutId.eventTime,
        '2026-11-20T04:00:00Z',
      ]);
    } finally {
      dir.cleanup();
    }
  });
});

describe('scan --rules DIR', () => {
  const packagedRule = readFileSync(join(PACKAGED_RULES_DIRECTORY, 'exfiltration_rds_snapshot_export.toml'), 'utf8');

  it('replaces the packaged rules with the rules in DIR', async () => {
    const cancelRule = packagedRule
      .replace(/rule_id = "[^"]+"/, 'rule_id = "00000000-0000-4000-8000-00000000cafe"')
      .replace(/event\.action:StartExportTask/, 'event.action:CancelExportTask');
    expect(cancelRule).not.toBe(packagedRule);
    const dir = scratchDirectory({ 'cancel.toml': cancelRule });
    try {
      const run = await runCli(['scan', '--rules', dir.path, 'samples/trail']);
      expect(run.code).toBe(0);
      expect(run.alerts.map((alert) => alert.event.action)).toEqual(['CancelExportTask', 'CancelExportTask']);
      expect(run.alerts.every((alert) => alert.kibana.alert.rule.rule_id === '00000000-0000-4000-8000-00000000cafe')).toBe(true);
      const inline = await runCli(['scan', `--rules=${dir.path}`, 'samples/trail']);
      expect(inline.alerts).toHaveLength(2);
    } finally {
      dir.cleanup();
    }
  });

  it('exits 2 with the loader’s message (file and field) for a broken rule', async () => {
    const dir = scratchDirectory({ 'broken.toml': packagedRule.replace(/^severity = .*$/m, 'severity = "urgent"') });
    try {
      const run = await runCli(['scan', '--rules', dir.path, 'samples/trail']);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('broken.toml');
      expect(run.stderr).toContain('severity');
      expect(run.stderr).toContain(SCAN_USAGE);
    } finally {
      dir.cleanup();
    }
  });

  it('exits 2 for a rules directory that does not exist or holds no rules', async () => {
    const empty = scratchDirectory({ 'README.md': 'no rules here' });
    try {
      for (const rulesDir of ['does-not-exist', empty.path]) {
        const run = await runCli(['scan', '--rules', rulesDir, 'samples/trail']);
        expect(run.code).toBe(2);
        expect(run.stdout).toBe('');
      }
    } finally {
      empty.cleanup();
    }
  });
});

describe('usage', () => {
  it.each([
    [[], 'cloudtrail-stream-detector: missing command', 'Usage: cloudtrail-stream-detector COMMAND'],
    [['frobnicate'], "cloudtrail-stream-detector: unknown command 'frobnicate'", 'Usage: cloudtrail-stream-detector COMMAND'],
    [['--frobnicate'], "cloudtrail-stream-detector: unknown option '--frobnicate'", 'Usage: cloudtrail-stream-detector COMMAND'],
    [['scan'], 'cloudtrail-stream-detector scan: needs at least one PATH', SCAN_USAGE],
    [['scan', '--rules'], 'cloudtrail-stream-detector scan: --rules needs DIR', SCAN_USAGE],
    [['scan', '--rules', '--verbose', 'x'], '--rules needs DIR', SCAN_USAGE],
    [['scan', '--rules', 'a', '--rules', 'b', 'x'], '--rules given more than once', SCAN_USAGE],
    [['scan', '--verbose', 'samples/trail'], "cloudtrail-stream-detector scan: unknown option '--verbose'", SCAN_USAGE],
    [['scan', '-x', 'samples/trail'], "unknown option '-x'", SCAN_USAGE],
  ])('exits 2 with one message and the usage for %j', async (argv, message, usage) => {
    const run = await runCli(argv);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${message}\n${usage}`);
    expect(run.stderr).toMatch(/Run 'cloudtrail-stream-detector (scan )?--help' for /);
  });

  it.each([[['--help']], [['-h']], [['help']]])('prints the program help on stdout for %j: every command, with its summary', async (argv) => {
    const run = await runCli(argv);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^Usage: cloudtrail-stream-detector COMMAND \[options\] \[arguments\]\n/);
    for (const command of ['scan', 'athena', 'redrive', 'report']) expect(run.stdout).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
    expect(run.stdout).toContain('--version');
  });

  it.each([[['scan', '--help']], [['scan', '-h']], [['help', 'scan']], [['scan', '--bogus', '--help']]])('prints the scan help on stdout for %j', async (argv) => {
    const run = await runCli(argv);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: cloudtrail-stream-detector scan \[options\] PATH\.\.\.\n/);
    expect(run.stdout).toContain('Exit status');
    expect(run.stdout).toContain('  -q, --quiet ');
    expect(run.stderr).toBe('');
  });

  it('treats everything after -- as a PATH', async () => {
    const dir = scratchDirectory({ '--odd.json': JSON.stringify(exportRecord('odd')) });
    try {
      expect(eventIds(await runCli(['scan', '--', '--odd.json'], dir.path))).toEqual(['odd']);
    } finally {
      dir.cleanup();
    }
  });

  it('exits 2 from the real executable too', () => {
    const run = spawnCli(['scan']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage:');
  });
});

describe('scan: output streaming', () => {
  const manyRecords = (count: number) =>
    Array.from({ length: count }, (_, i) => JSON.stringify(exportRecord(`event-${String(i).padStart(5, '0')}`))).join('\n');

  it('waits for a slow stdout instead of buffering every alert', async () => {
    const dir = scratchDirectory({ 'many.jsonl': manyRecords(300) });
    let text = '';
    let maxBuffered = 0;
    const slowStdout = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, callback) {
        text += chunk.toString('utf8');
        setImmediate(callback);
      },
    });
    const stderr = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const watcher = setInterval(() => {
      maxBuffered = Math.max(maxBuffered, slowStdout.writableLength);
    }, 0);
    try {
      const code = await main(['scan', dir.path], { stdout: slowStdout, stderr, cwd: REPO_ROOT });
      expect(code).toBe(0);
      const alerts = parseAlerts(text);
      expect(alerts).toHaveLength(300);
      expect(alerts[299]?.event.id).toBe('event-00299');
      // One alert is a few KB; with backpressure the buffer never holds more than about one beyond the mark.
      expect(maxBuffered).toBeLessThan(1024 + 20_000);
    } finally {
      clearInterval(watcher);
      dir.cleanup();
    }
  });

  it('stops quietly when the reader goes away (scan | head -n 1)', () => {
    const dir = scratchDirectory({ 'many.jsonl': manyRecords(3000) });
    try {
      const result = spawnSync(
        'bash',
        ['-c', `node "${join(REPO_ROOT, 'bin', 'cloudtrail-stream-detector.js')}" scan "${dir.path}" | head -n 1; echo "status=\${PIPESTATUS[0]}" >&2`],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(parseAlerts(result.stdout)).toHaveLength(1);
      expect(result.stderr).not.toMatch(/EPIPE|Error|at /);
      expect(result.stderr).toContain('stopped early because the output was closed');
      expect(result.stderr).toContain('status=0');
    } finally {
      dir.cleanup();
    }
  });
});

/** `scan -` (standard input) and inputs that hold no CloudTrail record. */
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { main } from '../../src/cli/main';
import { startExportTaskRecord } from '../support/cloudtrail-records';
import { CLI, eventIds, parseAlerts, REPO_ROOT, runCli, scratchDirectory, TextSink } from './cli-harness';

const exportRecord = (eventID: string) => startExportTaskRecord({ eventID });

async function scanStdin(input: Uint8Array | string, argv: string[] = ['scan', '-']) {
  const stdout = new TextSink();
  const stderr = new TextSink();
  const code = await main(argv, { stdout, stderr, cwd: REPO_ROOT, stdin: Readable.from([Buffer.from(input)]) });
  return { code, stdout: stdout.text, stderr: stderr.text, ids: parseAlerts(stdout.text).map((alert) => alert.event.id as string) };
}

describe('scan - (standard input)', () => {
  it('reads a CloudTrail log, gzipped or not, and JSON Lines, named <stdin> in messages', async () => {
    const log = JSON.stringify({ Records: [exportRecord('in-1'), exportRecord('in-2')] });
    expect((await scanStdin(log)).ids).toEqual(['in-1', 'in-2']);
    const gzipped = await scanStdin(gzipSync(log));
    expect(gzipped.ids).toEqual(['in-1', 'in-2']);
    expect(gzipped.stderr).toBe('scanned 1 file with 1 rule: 2 records, 2 alerts, 0 errors\n');
    const lines = await scanStdin(`${JSON.stringify(exportRecord('line-1'))}\n{oops\n`);
    expect(lines.ids).toEqual(['line-1']);
    expect(lines.code).toBe(1);
    expect(lines.stderr).toContain('<stdin>:line 2');
  });

  it('reads standard input where - stands among the other PATHs, and dedupes across them', async () => {
    const dir = scratchDirectory({ 'a.json': JSON.stringify(exportRecord('file-a')), 'b.json': JSON.stringify(exportRecord('file-b')) });
    try {
      const stdout = new TextSink();
      const stdin = Readable.from([Buffer.from(JSON.stringify({ Records: [exportRecord('stdin'), exportRecord('file-a')] }))]);
      await main(['scan', 'a.json', '-', 'b.json'], { stdout, stderr: new TextSink(), cwd: dir.path, stdin });
      expect(parseAlerts(stdout.text).map((alert) => alert.event.id)).toEqual(['file-a', 'stdin', 'file-b']);
    } finally {
      dir.cleanup();
    }
  });

  it('works from the real executable with a pipe', () => {
    const input = JSON.stringify({ Records: [exportRecord('piped')] });
    const result = spawnSync(process.execPath, [CLI, 'scan', '-'], { cwd: REPO_ROOT, input, encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(0);
    expect(parseAlerts(result.stdout).map((alert) => alert.event.id)).toEqual(['piped']);
  });
});

describe('inputs that hold no CloudTrail record', () => {
  it('are named on stderr as "no CloudTrail records" and counted in the summary', async () => {
    const dir = scratchDirectory({
      'foo.json': '{"foo":1}',
      'empty.json': '',
      'empty.json.gz': gzipSync(''),
      'zero.gz': '',
      'no-records.json': '{"Records": []}',
      'real.json': JSON.stringify(exportRecord('real')),
    });
    try {
      const run = await runCli(['scan', '.'], dir.path);
      expect(run.code).toBe(0);
      expect(eventIds(run)).toEqual(['real']);
      expect(run.stderr.split('\n')).toEqual([
        'empty.json: no CloudTrail records (the file is empty)',
        'empty.json.gz: no CloudTrail records',
        'foo.json: no CloudTrail records (a JSON object without eventVersion, eventName or eventSource)',
        'no-records.json: no CloudTrail records',
        'zero.gz: no CloudTrail records (the file is empty)',
        'scanned 6 files with 1 rule: 1 record, 5 inputs without CloudTrail records, 1 non-CloudTrail object skipped, 1 alert, 0 errors',
        '',
      ]);
    } finally {
      dir.cleanup();
    }
  });

  it('an object that is not a CloudTrail record beside real ones is named once per input and not counted as a record', async () => {
    const lines = [exportRecord('first'), { foo: 1 }, exportRecord('second'), { bar: 2 }].map((value) => JSON.stringify(value)).join('\n');
    const run = await scanStdin(lines);
    expect(run.ids).toEqual(['first', 'second']);
    expect(run.stderr).toBe(
      '<stdin>:line 2: not a CloudTrail record (no eventVersion, eventName or eventSource), skipped (and 1 more in this input)\n' +
        'scanned 1 file with 1 rule: 2 records, 2 non-CloudTrail objects skipped, 2 alerts, 0 errors\n',
    );
    const empty = await scanStdin('');
    expect(empty.stderr).toBe(
      '<stdin>: no CloudTrail records (the file is empty)\nscanned 1 file with 1 rule: 0 records, 1 input without CloudTrail records, 0 alerts, 0 errors\n',
    );
  });
});

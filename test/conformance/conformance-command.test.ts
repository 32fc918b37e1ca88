/**
 * `npm run conformance -- DIR`, run in-process: against the shared conformance folder (when present), against a
 * missing folder, and against a tiny folder with a deliberately failing KQL case.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runConformance } from '../../src/conformance/main';
import { conformanceDirectory } from '../support/conformance-data';

const SHARED_DIR = conformanceDirectory();

function run(args: string[]): { code: number; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = runConformance(args, { stdout: (line) => stdout.push(...line.split('\n')), stderr: (line) => stderr.push(line) });
  return { code, stdout, stderr };
}

function finalCounts(stdout: string[]): { passed: number; failed: number } {
  const last = stdout[stdout.length - 1];
  const match = /^(\d+) passed, (\d+) failed$/.exec(last);
  if (!match) throw new Error(`last line is not "N passed, M failed": ${JSON.stringify(last)}`);
  return { passed: Number(match[1]), failed: Number(match[2]) };
}

describe('conformance command', () => {
  (fs.existsSync(SHARED_DIR) ? test : test.skip)('passes every suite of the shared conformance folder', () => {
    const { code, stdout } = run([SHARED_DIR]);
    const { passed, failed } = finalCounts(stdout);
    expect(failed).toBe(0);
    expect(passed).toBeGreaterThanOrEqual(316 + 139 + 9);
    expect(code).toBe(0);
    expect(stdout.some((line) => line.startsWith('## KQL cases'))).toBe(true);
    expect(stdout.some((line) => line.startsWith('## Rule pack'))).toBe(true);
    // The 27 AWS EQL rules all load and run, the sequence's state machine included.
    expect(stdout).toContain('Rule pack (elastic-aws-eql-rules): 27 passed, 0 failed');
    expect(stdout).toContain('| eql  |    27 |             27 |      0 |');
    expect(stdout.some((line) => line.startsWith('## ECS pipeline pairs'))).toBe(true);
    expect(stdout.some((line) => line.startsWith('## EQL spec tests'))).toBe(true);
  });

  test('a missing folder is an error with a message', () => {
    const missing = path.join(os.tmpdir(), `no-such-conformance-${process.pid}-${Date.now()}`);
    const { code, stdout, stderr } = run([missing]);
    expect(code).not.toBe(0);
    expect(stdout).toEqual([]);
    expect(stderr.join('\n')).toContain(`${missing} does not exist`);
  });

  test('no argument is a usage error; --help describes the command', () => {
    const { code, stderr } = run([]);
    expect(code).toBe(2);
    expect(stderr.join('\n')).toBe('conformance: needs DIR\nUsage: npm run conformance -- DIR');
    expect(run(['a', 'b']).stderr.join('\n')).toContain("conformance: takes one DIR, not 2: 'a' 'b'");
    const help = run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.join('\n')).toMatch(/^Usage: npm run conformance -- DIR\n[^]*Examples:\n  npm run conformance -- "\$CONFORMANCE_DIR"/);
  });

  describe('with a failing KQL case', () => {
    let directory: string;
    beforeAll(() => {
      directory = fs.mkdtempSync(path.join(os.tmpdir(), 'conformance-'));
      const cases = [
        { id: 'ok-1', kind: 'eval', query: 'a: 1', document: { a: 1 }, expected: true, portable: true, kibana: { parse: 'ok' } },
        { id: 'ok-2', kind: 'parse', query: 'a:', expected: 'parse_error', portable: true, kibana: { parse: 'error' } },
        { id: 'bad-1', kind: 'eval', query: 'a: 2', document: { a: 1 }, expected: true, portable: true, kibana: { parse: 'ok' } },
      ];
      fs.writeFileSync(path.join(directory, 'kql-cases.json'), JSON.stringify(cases));
    });
    afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

    test('counts the failure, prints why and exits non-zero', () => {
      const { code, stdout } = run([directory]);
      expect(finalCounts(stdout)).toEqual({ passed: 2, failed: 1 });
      expect(code).not.toBe(0);
      const report = stdout.join('\n');
      expect(report).toContain('bad-1');
      expect(report).toContain('expected true, got false');
      expect(report).not.toContain('ok-1');
      expect(report).toContain('skipped:');
    });
  });
});

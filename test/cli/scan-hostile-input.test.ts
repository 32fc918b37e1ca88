import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJsonHash } from '../../src/cli/alert-dedupe';
import { PACKAGED_RULES_DIRECTORY } from '../../src/cli/scan-command';
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

/** What a terminal would act on: ESC, BEL, other C0/C1 controls except the newline that ends each line, DEL. */
const TERMINAL_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('scan on hostile input: names written to the terminal (issue 10, case 5)', () => {
  const packagedRule = readFileSync(join(PACKAGED_RULES_DIRECTORY, 'exfiltration_rds_snapshot_export.toml'), 'utf8');
  const newTermsRule = packagedRule
    .replace(/rule_id = "[^"]+"/, 'rule_id = "00000000-0000-4000-8000-0000000000bb"')
    .replace('type = "query"', 'type = "new_terms"')
    .replace('name = "AWS RDS Snapshot Export"', 'name = "Evil\\u001b]0;owned\\u0007 rule"');
  const forgedSummary = 'scanned 99 files with 1 rule: 0 records, 0 alerts, 0 errors';

  it('escapes ESC, BEL and newlines in file names and rule names instead of passing them to the terminal', async () => {
    const trail = scratchDirectory({
      'retitle\u001b]0;owned\u0007.json': '{"Records": [',
      'clear\u001b[2J\u001b[H.json': 'not json at all',
      [`forged\n${forgedSummary}\n.json`]: '[1]',
      'rules/export.toml': packagedRule,
      'rules/evil\u001b[31m.toml': newTermsRule,
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
});

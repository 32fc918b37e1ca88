import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGED_RULES_DIRECTORY } from '../../src/cli/scan-command';
import { runCli, scratchDirectory } from './cli-harness';

const packagedRule = readFileSync(join(PACKAGED_RULES_DIRECTORY, 'exfiltration_rds_snapshot_export.toml'), 'utf8');
const esqlRule = packagedRule
  .replace(/rule_id = "[^"]+"/, 'rule_id = "00000000-0000-4000-8000-0000000000aa"')
  .replace('type = "query"', 'type = "esql"')
  .replace('language = "kuery"', 'language = "esql"')
  .replace('name = "AWS RDS Snapshot Export"', 'name = "Exports in ESQL"');

describe('scan --rules DIR with rule types the engine cannot run', () => {
  it('names each unsupported rule on stderr and scans with the others, exit code unchanged', async () => {
    const dir = scratchDirectory({ 'export.toml': packagedRule, 'esql.toml': esqlRule });
    try {
      const run = await runCli(['scan', '--rules', dir.path, 'samples/trail']);
      expect(run.code).toBe(0);
      const lines = run.stderr.trim().split('\n');
      expect(lines[0]).toMatch(
        /^rules: "Exports in ESQL" \(.*esql\.toml\) is an esql rule: not supported yet, not evaluated$/,
      );
      expect(lines.filter((line) => line.startsWith('rules: '))).toHaveLength(1);
      expect(lines[lines.length - 1]).toMatch(/with 1 rule: .*, 0 errors$/);
      expect(run.alerts.length).toBeGreaterThan(0);
      expect(run.alerts.every((alert) => alert.event.action === 'StartExportTask')).toBe(true);
    } finally {
      dir.cleanup();
    }
  });

  it('exits 2 when no rule in DIR can run, after naming the unsupported ones', async () => {
    const dir = scratchDirectory({ 'esql.toml': esqlRule });
    try {
      const run = await runCli(['scan', '--rules', dir.path, 'samples/trail']);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('is an esql rule: not supported yet, not evaluated');
      expect(run.stderr).toContain('none of the rules in this directory can run');
    } finally {
      dir.cleanup();
    }
  });
});

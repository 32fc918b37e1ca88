import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCOUNT } from '../support/cloudtrail-records';
import { createKeyPairRecord, isoAt, NEW_KEY_PAIR_TOML, ROOT_BRUTE_FORCE_TOML, rootLoginFailureRecord } from '../support/stateful-fixtures';
import { runCli, scratchDirectory } from './cli-harness';

/**
 * `scan --rules` with new_terms and threshold rules over an ordered trail: exactly the alerts the contract
 * (../shared/reference/stateful-rules.md) defines, with Elastic's fields; and --state-out / --state-in carrying a
 * hunt across runs.
 */

const ips = ['203.0.113.1', '203.0.113.2', '203.0.113.3'];
/** Two CloudTrail log files, in time order. */
const firstHalf = [
  createKeyPairRecord('k1', isoAt(0), 'alice'),
  ...Array.from({ length: 12 }, (_, i) => rootLoginFailureRecord(`f${i + 1}`, isoAt(10 + i * 20), ips[i % 3])),
  createKeyPairRecord('k2', isoAt(300), 'alice'),
];
const secondHalf = [
  createKeyPairRecord('k3', isoAt(3600), 'bob'),
  createKeyPairRecord('k4', isoAt(3700), 'alice'),
  ...Array.from({ length: 10 }, (_, i) => rootLoginFailureRecord(`g${i + 1}`, isoAt(4000 + i), '198.51.100.9')),
];

const summaryOf = (alert: any) => {
  const { new_terms: newTerms, threshold_result: result, rule } = alert.kibana.alert;
  return [rule.type, alert.event.id, newTerms ?? result];
};

describe('scan with new_terms and threshold rules', () => {
  const files = scratchDirectory({
    'rules/new_key_pair.toml': NEW_KEY_PAIR_TOML,
    'rules/root_brute_force.toml': ROOT_BRUTE_FORCE_TOML,
    'trail/1.json': JSON.stringify({ Records: firstHalf }),
    'trail/2.json': JSON.stringify({ Records: secondHalf }),
  });
  afterAll(() => files.cleanup());
  const rules = join(files.path, 'rules');

  it('raises exactly the contract alerts of an ordered trail, with kibana.alert.new_terms and threshold_result', async () => {
    const run = await runCli(['scan', '--rules', rules, join(files.path, 'trail')]);
    expect(run.code).toBe(0);
    expect(run.alerts.map(summaryOf)).toEqual([
      ['new_terms', 'k1', [ACCOUNT, 'alice']],
      ['threshold', 'f10', { terms: [{ field: 'cloud.account.id', value: ACCOUNT }], count: 10, from: new Date(isoAt(10)).toISOString() }],
      ['new_terms', 'k3', [ACCOUNT, 'bob']],
      ['threshold', 'g10', { terms: [{ field: 'cloud.account.id', value: ACCOUNT }], count: 10, from: new Date(isoAt(4000)).toISOString() }],
    ]);
    // The first hour is the whole history the run has: new terms say their baseline is incomplete.
    expect(run.alerts[0].kibana.alert.new_terms_baseline).toEqual({ complete: false, covered_since: new Date(isoAt(0)).toISOString(), history_window_start: 'now-7d' });
    expect(run.stderr).toMatch(/with 2 rules: 26 records, 4 alerts, 0 errors\n$/);
  });

  it('--state-out then --state-in continues the hunt exactly where it stopped', async () => {
    const whole = await runCli(['scan', '--rules', rules, join(files.path, 'trail')]);
    const statePath = join(files.path, 'hunt.state');
    const first = await runCli(['scan', '--rules', rules, '--state-out', statePath, join(files.path, 'trail/1.json')]);
    expect(first.stderr).toMatch(/; state: \d+ keys saved\n$/);
    const header = JSON.parse(readFileSync(statePath, 'utf8').split('\n')[0] as string);
    expect(header).toMatchObject({ format: 'cloudtrail-stream-detector/scan-state/v1', clock: new Date(isoAt(300)).toISOString() });
    const second = await runCli(['scan', '--rules', rules, '--state-in', statePath, join(files.path, 'trail/2.json')]);
    expect([...first.alerts, ...second.alerts].map(summaryOf)).toEqual(whole.alerts.map(summaryOf));
    // Without the state, the second half finds alice new again.
    const fresh = await runCli(['scan', '--rules', rules, join(files.path, 'trail/2.json')]);
    expect(fresh.alerts.map((alert) => alert.event.id)).toEqual(['k3', 'k4', 'g10']);
  });

  it('refuses a state file it cannot read, naming it and the line, before reading anything', async () => {
    const broken = join(files.path, 'broken.state');
    writeFileSync(broken, '{"format":"cloudtrail-stream-detector/scan-state/v1","clock":null,"entries":2}\n{"key":"k","version":1}\n');
    const run = await runCli(['scan', '--rules', rules, '--state-in', broken, join(files.path, 'trail')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${broken}: line 2: expected {"key", "version", "expiresAt", "value"}`);
    const missing = await runCli(['scan', '--rules', rules, '--state-in', join(files.path, 'nope.state'), join(files.path, 'trail')]);
    expect(missing.stderr).toContain('nope.state: cannot read the state file (no such file)');
    const unwritable = await runCli(['scan', '--rules', rules, '--state-out', '/nonexistent/dir/x.state', join(files.path, 'trail')]);
    expect(unwritable.code).toBe(2);
    expect(unwritable.stderr).toContain('cannot write the state to /nonexistent/dir/x.state');
  });

  it('counts the records that reach stateful rules further behind the newest one than their state keeps', async () => {
    const late = scratchDirectory({ 'late.json': JSON.stringify({ Records: [...secondHalf, ...firstHalf] }) });
    try {
      const run = await runCli(['scan', '--rules', rules, late.path]);
      expect(run.stderr).toMatch(/note: 14 record\(s\) reached new_terms, threshold or sequence rules more than 15 minutes behind the newest record read before them/);
    } finally {
      late.cleanup();
    }
  });
});

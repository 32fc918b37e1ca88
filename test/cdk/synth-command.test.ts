import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cdkSynth, type SynthResult } from '../support/cdk-cli';

/**
 * `cdk synth` as a user runs it: the real CDK CLI, cdk.json, bin/app.ts. A configuration mistake is one short
 * message and a non-zero exit; a good synth prints nothing the user cannot act on. (Elastic's pack, when present:
 * elastic-rule-pack.test.ts.)
 */
const REPOSITORY = join(__dirname, '..', '..');
const SEED_RULE = join(REPOSITORY, 'rules', 'exfiltration_rds_snapshot_export.toml');

/** A rules folder with the seed rule changed by `edit`, and optionally more rules. */
function rulesFolder(edit: (text: string) => string = (text) => text, extra: Record<string, string> = {}): string {
  const directory = mkdtempSync(join(tmpdir(), 'synth-command-rules-'));
  writeFileSync(join(directory, 'seed.toml'), edit(readFileSync(SEED_RULE, 'utf8')));
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(directory, name), text);
  return directory;
}

/** The seed rule turned into a valid rule of another type, with its own id and name. */
function ruleOfType(type: string, id: string): string {
  return readFileSync(SEED_RULE, 'utf8')
    .replace('type = "query"', `type = "${type}"`)
    .replace(/rule_id = "[^"]+"/, `rule_id = "${id}"`)
    .replace('name = "AWS RDS Snapshot Export"', `name = "A ${type} rule"`);
}

/** One short message: the CLI's own exit line aside, a few lines and no stack frame. */
function expectOneShortMessage(result: SynthResult, pattern: RegExp): void {
  expect(result.status).not.toBe(0);
  const ours = result.stderrLines.filter((line) => !/Subprocess exited with error/.test(line));
  expect(ours.length).toBeGreaterThan(0);
  expect(ours.length).toBeLessThanOrEqual(3);
  expect(ours[0]).toMatch(/^error: /);
  expect(ours.join('\n')).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toMatch(/\.ts:\d+/);
}

describe('cdk synth', () => {
  it('refuses an invalid address: what, where, how to fix', () => {
    expectOneShortMessage(cdkSynth('alertEmails=secops@example.com,notanemail'), /alertEmails: "notanemail" is not an e-mail address\. Give addresses such as secops@example\.com/);
  });

  it('refuses a broken rule, naming the file and the field', () => {
    const rulesDir = rulesFolder((text) => text.replace('severity = "low"', 'severity = "urgent"'));
    expectOneShortMessage(
      cdkSynth('alertEmails=secops@example.com', `rulesDir=${rulesDir}`),
      /seed\.toml: rule\.severity: "urgent" is not one of low, medium, high, critical\nFix the rule file, or point -c rulesDir/,
    );
  });

  it('refuses a rule whose query does not parse', () => {
    const rulesDir = rulesFolder((text) => text.replace('event.action:StartExportTask and', 'event.action:(StartExportTask and'));
    expectOneShortMessage(cdkSynth('alertEmails=secops@example.com', `rulesDir=${rulesDir}`), /seed\.toml: rule\.query: /);
  });

  it('refuses to deploy without alertEmails, and says how to deploy without e-mail on purpose', () => {
    expectOneShortMessage(cdkSynth(), /alertEmails: not set: alerts would reach no one\. Set -c alertEmails=.*or -c alertEmails=none/);
  });

  it('synthesizes with alertEmails=none, printing nothing', () => {
    const result = cdkSynth('alertEmails=none');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('synthesizes organization mode printing only where the two templates are (no CDK deprecation notice)', () => {
    const result = cdkSynth('alertEmails=secops@example.com', 'organizationId=o-a1b2c3d4e5');
    expect(result.status).toBe(0);
    expect(result.stderrLines).toEqual([
      expect.stringMatching(/^Successfully synthesized to /),
      'Supply a stack id (CloudTrailStreamDetector, CloudTrailDetectorForwarder) to display its template.',
    ]);
  });

  it('names rules of unsupported types in one summary line and a list', () => {
    // Types the engine is not about to run (machine learning jobs, ES|QL), so the expectation stays true.
    const rulesDir = rulesFolder(undefined, {
      'anomaly.toml': ruleOfType('machine_learning', 'a1b2c3d4-0000-4000-8000-000000000001'),
      'piped.toml': ruleOfType('esql', 'a1b2c3d4-0000-4000-8000-000000000002'),
    });
    const result = cdkSynth('alertEmails=secops@example.com', `rulesDir=${rulesDir}`);
    expect(result.status).toBe(0);
    expect(result.stderrLines).toEqual([
      'rules: 2 of 3 rules not deployed: their types are not supported yet (1 esql, 1 machine_learning):',
      '  - anomaly.toml (machine_learning): A machine_learning rule',
      '  - piped.toml (esql): A esql rule',
    ]);
  });
});

describe('cdk.json', () => {
  it('sets every feature flag aws-cdk-lib recommends, to the recommended value', () => {
    const recommended = JSON.parse(readFileSync(require.resolve('aws-cdk-lib/recommended-feature-flags.json'), 'utf8'));
    const { context } = JSON.parse(readFileSync(join(REPOSITORY, 'cdk.json'), 'utf8'));
    for (const [flag, value] of Object.entries(recommended)) expect({ flag, value: context[flag] }).toEqual({ flag, value });
  });
});

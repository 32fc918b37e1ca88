import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BEDROCK_SEQUENCE_RULE, bedrockCall } from '../engine/eql/support/aws-rule-records';
import { conformancePath, describeWithConformance } from '../support/conformance-data';
import { runCli, scratchDirectory } from './cli-harness';

/**
 * `scan --rules` with Elastic's Bedrock sequence rule: the sequence over a trail, its steps in two files read out of
 * order, and a sequence whose first step was in the previous run's trail (--state-out, then --state-in).
 */

const T0 = Date.parse('2026-11-20T03:00:00Z');
const iso = (offsetMs: number): string => new Date(T0 + offsetMs).toISOString();

describeWithConformance('scan with the Bedrock sequence rule', ['elastic-aws-eql-rules'], () => {
  const files = scratchDirectory({
    'rules/bedrock.toml': readFileSync(join(conformancePath('elastic-aws-eql-rules'), BEDROCK_SEQUENCE_RULE), 'utf8'),
    // Read in name order: the file with the second step comes first.
    'trail/a.json': JSON.stringify({ Records: [bedrockCall('InvokeModel', iso(5 * 60_000))] }),
    'trail/b.json': JSON.stringify({ Records: [bedrockCall('ListFoundationModels', iso(0)), bedrockCall('InvokeModel', iso(20 * 60_000), 'AKIAEXAMPLELONGTERM2')] }),
    'later/1.json': JSON.stringify({ Records: [bedrockCall('ListFoundationModels', iso(3_600_000))] }),
    'later/2.json': JSON.stringify({ Records: [bedrockCall('Converse', iso(3_600_000 + 14 * 60_000))] }),
  });
  afterAll(() => files.cleanup());
  const rules = join(files.path, 'rules');
  const steps = (alert: any) => alert.kibana.alert.sequence.steps.map((step: { action: string; time: string }) => `${step.action} ${step.time}`);

  it('alerts once per sequence, whatever order the files are read in', async () => {
    const run = await runCli(['scan', '--rules', rules, join(files.path, 'trail')]);
    expect(run.code).toBe(0);
    expect(run.alerts.map(steps)).toEqual([[`bedrock:ListFoundationModels ${iso(0)}`, `bedrock:InvokeModel ${iso(5 * 60_000)}`]]);
    expect(run.alerts[0].kibana.alert.building_blocks).toHaveLength(2);
    // The table's "what" line is the steps.
    const table = await runCli(['scan', '--rules', rules, '--format', 'table', join(files.path, 'trail')]);
    expect(table.stdout).toMatch(/^ +what +bedrock:ListFoundationModels then bedrock:InvokeModel$/m);
  });

  it('alert suppression groups sequences by what their steps share, as Elastic suppresses on the sequence alert', async () => {
    // Each sequence's steps come from two addresses, the same two both times: no address is the sequence's own, so
    // with doNotSuppress neither alert is suppressed (grouping by the triggering event's address would suppress one).
    const from = (record: Record<string, unknown>, address: string) => ({ ...record, sourceIPAddress: address });
    const suppressing = scratchDirectory({
      'rules/bedrock.toml': `${readFileSync(join(conformancePath('elastic-aws-eql-rules'), BEDROCK_SEQUENCE_RULE), 'utf8')}
[rule.alert_suppression]
group_by = ["source.ip"]
duration = { value = 2, unit = "h" }
missing_fields_strategy = "doNotSuppress"
`,
      'trail/1.json': JSON.stringify({
        Records: [
          from(bedrockCall('ListFoundationModels', iso(0)), '192.0.2.10'),
          from(bedrockCall('InvokeModel', iso(60_000)), '198.51.100.20'),
          from(bedrockCall('ListFoundationModels', iso(1_800_000)), '192.0.2.10'),
          from(bedrockCall('InvokeModel', iso(1_860_000)), '198.51.100.20'),
        ],
      }),
    });
    try {
      const run = await runCli(['scan', '--rules', join(suppressing.path, 'rules'), join(suppressing.path, 'trail')]);
      expect(run.code).toBe(0);
      expect(run.alerts).toHaveLength(2);
      expect(run.alerts.map((alert: any) => alert.source?.ip)).toEqual([undefined, undefined]);
    } finally {
      suppressing.cleanup();
    }
  });

  it('--state-out then --state-in carries a sequence in progress to the next run', async () => {
    const statePath = join(files.path, 'bedrock.state');
    const first = await runCli(['scan', '--rules', rules, '--state-out', statePath, join(files.path, 'later/1.json')]);
    expect(first.code).toBe(0);
    expect(first.alerts).toEqual([]);
    expect(readFileSync(statePath, 'utf8')).toMatch(/"key":"sequence#a17f2e5f-de52-49e8-9d86-ccfe91cd54d4#/);
    const second = await runCli(['scan', '--rules', rules, '--state-in', statePath, join(files.path, 'later/2.json')]);
    expect(second.code).toBe(0);
    expect(second.alerts.map(steps)).toEqual([[`bedrock:ListFoundationModels ${iso(3_600_000)}`, `bedrock:Converse ${iso(3_600_000 + 14 * 60_000)}`]]);
    // Without the state, the second run has only one step.
    expect((await runCli(['scan', '--rules', rules, join(files.path, 'later/2.json')])).alerts).toEqual([]);
  });
});

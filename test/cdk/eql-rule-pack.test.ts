import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cloudTrailPatternGroups } from '../../lib/constructs/cloudtrail-rule-trigger';
import { normalizeCloudTrail } from '../../src/engine/ecs';
import { compileRulePattern } from '../../src/engine/eventbridge';
import { compileRules, loadRulePack, parseRuleToml } from '../../src/engine/rules';
import type { ReportInput } from '../../src/report/report-input';
import { rulesSection } from '../../src/report/sections/rules';
import { cdkSynth } from '../support/cdk-cli';
import { conformancePath, describeWithConformance } from '../support/conformance-data';
import { matchesEventPattern } from '../support/eventbridge-matcher';
import { synthesizeDetector, type SynthesizedDetector } from '../support/synthesize-detector';
import { BEDROCK_SEQUENCE_RULE, bedrockCall, SINGLE_EVENT_RULE_RECORDS } from '../engine/eql/support/aws-rule-records';
import { cloudTrailDeliveryArbitrary, envelopeFor } from '../engine/eventbridge/cloudtrail-event-arbitrary';

/**
 * Elastic's 27 AWS EQL rules deployed as EventBridge patterns grouped like KQL rules' (the sequence rule's from every
 * stage), every event a rule alerts on let through by a deployed pattern, cdk-nag clean; the sequence rule's state in
 * the state table.
 */
const EQL_DIR = conformancePath('elastic-aws-eql-rules');
const receivedAt = new Date('2026-11-20T03:16:00Z');

describeWithConformance('DetectorStack with the AWS EQL rule folder', ['elastic-aws-eql-rules'], () => {
  const pack = loadRulePack(EQL_DIR);
  const compiled = compileRules(pack.rules);
  let synthesized: SynthesizedDetector;
  let eventRules: { Description: string; EventPattern: Record<string, unknown> }[];

  beforeAll(() => {
    synthesized = synthesizeDetector({ alertEmails: 'none', rulesDir: EQL_DIR });
    eventRules = Object.values(synthesized.template.findResources('AWS::Events::Rule')).map((rule) => rule.Properties);
  });

  it('packages the 27 rules, each named in exactly one EventBridge rule, and the state table the sequence needs', () => {
    const packaged = JSON.parse(readFileSync(join(synthesized.bundleDirectory, 'rules.json'), 'utf8'));
    expect(packaged.rules.map((rule: { ruleId: string }) => rule.ruleId).sort()).toEqual(pack.rules.map((rule) => rule.ruleId).sort());
    expect(packaged.rules).toHaveLength(27);
    for (const { ruleId } of pack.rules) expect(eventRules.filter((rule) => rule.Description.includes(ruleId))).toHaveLength(1);
    const tables = Object.keys(synthesized.template.findResources('AWS::DynamoDB::Table'));
    expect(tables).toHaveLength(1);
    const fn = Object.values(synthesized.template.findResources('AWS::Lambda::Function')).find((resource: any) => resource.Properties.Environment?.Variables?.ALERT_TOPIC_ARN) as any;
    expect(fn.Properties.Environment.Variables.STATE_TABLE_NAME).toEqual({ Ref: tables[0] });
  });

  it('every event a rule matches passes a deployed pattern (its records, varied, and random deliveries)', () => {
    const deployed = eventRules.map((rule) => rule.EventPattern);
    let matched = 0;
    for (const rule of compiled.filter((candidate) => candidate.eql?.query.kind === 'event')) {
      const file = rule.rule.sourceFile.split(/[\\/]/).pop() as string;
      const own = SINGLE_EVENT_RULE_RECORDS[file].alerts;
      const seeds = fc.sample(cloudTrailDeliveryArbitrary(rule.ast), { numRuns: 40, seed: 7 }).map((delivery) => delivery.record);
      for (const record of [own, ...seeds]) {
        if (!rule.matches(normalizeCloudTrail(record, { receivedAt }))) continue;
        matched += 1;
        const envelope = envelopeFor(record);
        expect({ file, own: matchesEventPattern(compileRulePattern(rule).pattern, envelope) }).toEqual({ file, own: true });
        expect({ file, deployed: deployed.some((pattern) => matchesEventPattern(pattern, envelope)) }).toEqual({ file, deployed: true });
      }
    }
    expect(matched).toBeGreaterThanOrEqual(26);
    // The sequence rule's steps, deployed with it.
    for (const step of ['ListFoundationModels', 'InvokeModel', 'Converse'] as const) {
      expect({ step, deployed: deployed.some((pattern) => matchesEventPattern(pattern, envelopeFor(bedrockCall(step, '2026-11-20T03:00:00Z')))) }).toEqual({ step, deployed: true });
    }
  });

  it('the sequence rule\'s grouped patterns let through both of its steps, and not other Bedrock calls', () => {
    const sequence = parseRuleToml(readFileSync(join(EQL_DIR, BEDROCK_SEQUENCE_RULE), 'utf8'), BEDROCK_SEQUENCE_RULE);
    const groups = cloudTrailPatternGroups(compileRules([sequence]));
    const passes = (record: Record<string, unknown>) => groups.some((group) => matchesEventPattern(group.pattern, envelopeFor(record)));
    expect(passes(bedrockCall('ListFoundationModels', '2026-11-20T03:00:00Z'))).toBe(true);
    expect(passes(bedrockCall('InvokeModel', '2026-11-20T03:01:00Z'))).toBe(true);
    expect(passes(bedrockCall('Converse', '2026-11-20T03:01:00Z'))).toBe(true);
    expect(passes({ ...bedrockCall('InvokeModel', '2026-11-20T03:01:00Z'), eventName: 'GetFoundationModel' })).toBe(false);
  });

  it('the audit report lists each EQL rule with its query and pattern, the sequence among them', () => {
    const input = { stackName: 'Detector', template: synthesized.template.toJSON(), constructPaths: {}, rules: { directory: EQL_DIR, supported: pack.rules, unsupported: pack.unsupported } };
    const section = rulesSection(input as unknown as ReportInput).join('\n');
    expect(section).toContain('#### AWS RDS DB Snapshot Shared with Another Account');
    expect(section).toContain('| Type / language | eql / eql |');
    expect(section).toContain('```eql\ninfo where data_stream.dataset == "aws.cloudtrail"');
    expect(section).not.toContain('**none found in the template**');
    expect(section).toContain('#### AWS Bedrock Foundation Model Enumeration Followed by Invocation via Long-Term Key');
    expect(section).toContain('```eql\nsequence by aws.cloudtrail.user_identity.access_key_id with maxspan=15m');
    expect(section).not.toMatch(/\| eql sequence \|/);
  });

  it('cdk synth -c rulesDir=<the EQL folder> deploys all 27, cdk-nag clean, with nothing to report', () => {
    const result = cdkSynth('alertEmails=none', `rulesDir=${EQL_DIR}`);
    expect(result.status).toBe(0);
    expect(result.stderrLines).toEqual([]);
  });
});

import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compileEventPattern } from '../../src/engine/eventbridge';
import {
  EVENT_PATTERN_MAX_CHARS,
  STACK_RULE_BUDGET,
  STACK_WILDCARD_RULE_BUDGET,
  TARGETS_PER_RULE_QUOTA,
} from '../../src/engine/eventbridge/eventbridge-quotas';
import { parseKql } from '../../src/engine/kql';
import { loadRulePack, parseRuleToml } from '../../src/engine/rules';
import { cdkSynth } from '../support/cdk-cli';
import { cloudTrailDeliveryArbitrary } from '../engine/eventbridge/cloudtrail-event-arbitrary';
import { matchesEventPattern } from '../support/eventbridge-matcher';
import { conformancePath, describeWithConformance } from '../support/conformance-data';
import { synthesizeDetector, type SynthesizedDetector } from '../support/synthesize-detector';

/** Elastic's 139 AWS rules: 85 query, 49 new_terms and 5 threshold rules, all deployed. */
const ELASTIC_DIR = conformancePath('elastic-aws-kuery-rules');
const RULE_COUNT = 139;

/** The rule files with their rule_id and query, read straight from the TOML. */
function ruleFiles(): { file: string; ruleId: string; query: string }[] {
  return readdirSync(ELASTIC_DIR)
    .filter((name) => name.endsWith('.toml'))
    .map((file) => {
      const rule = parseRuleToml(readFileSync(join(ELASTIC_DIR, file), 'utf8'), file);
      return { file, ruleId: rule.ruleId, query: rule.query };
    });
}

describeWithConformance('DetectorStack with the Elastic AWS rule folder', ['elastic-aws-kuery-rules'], () => {
  const files = ruleFiles();
  let synthesized: SynthesizedDetector;
  let eventRules: { Description: string; EventPattern: unknown; Targets: unknown[] }[];

  beforeAll(() => {
    synthesized = synthesizeDetector({ alertEmails: 'a@example.com', rulesDir: ELASTIC_DIR });
    eventRules = Object.values(synthesized.template.findResources('AWS::Events::Rule')).map((rule) => rule.Properties);
  });

  it('deploys all 139 rules', () => {
    expect(files).toHaveLength(RULE_COUNT);
  });

  it('with the state table of the new_terms and threshold rules: on demand, its own rotated KMS key, PITR, TTL', () => {
    const tables = synthesized.template.findResources('AWS::DynamoDB::Table');
    expect(Object.keys(tables)).toHaveLength(1);
    const [[tableId, table]] = Object.entries(tables) as [string, { Properties: Record<string, any>; DeletionPolicy: string }][];
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [expect.stringMatching(/StateKey/), 'Arn'] } },
    });
    expect(table.DeletionPolicy).toBe('Retain');
    const keyId = table.Properties.SSESpecification.KMSMasterKeyId['Fn::GetAtt'][0];
    expect(synthesized.template.findResources('AWS::KMS::Key')[keyId]?.Properties).toMatchObject({ EnableKeyRotation: true });
    const fn = Object.values(synthesized.template.findResources('AWS::Lambda::Function')).find((resource: any) => resource.Properties.Environment?.Variables?.ALERT_TOPIC_ARN) as any;
    expect(fn.Properties.Environment.Variables.STATE_TABLE_NAME).toEqual({ Ref: tableId });
  });

  it('lets the function read and update items of that table only, and use its key only through DynamoDB', () => {
    const policies = JSON.stringify(synthesized.template.findResources('AWS::IAM::Role'));
    const statements = Object.values(synthesized.template.findResources('AWS::IAM::Role')).flatMap((role: any) =>
      (role.Properties.Policies ?? []).flatMap((policy: any) => policy.PolicyDocument.Statement),
    );
    const state = statements.find((statement: any) => statement.Sid === 'KeepRuleState');
    expect(state.Action).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(state.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/StateTable/), 'Arn'] });
    const key = statements.find((statement: any) => statement.Sid === 'EncryptRuleState');
    expect(key.Condition).toEqual({ StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } });
    expect(policies).not.toMatch(/dynamodb:(Scan|Query|DeleteItem|BatchWriteItem|\*)/);
  });

  it('stays within the EventBridge quotas: rules per bus, wildcard rules, targets per rule, pattern size', () => {
    expect(eventRules.length).toBeGreaterThan(0);
    expect(eventRules.length).toBeLessThanOrEqual(STACK_RULE_BUDGET);
    expect(eventRules.filter((rule) => JSON.stringify(rule.EventPattern).includes('"wildcard"')).length).toBeLessThanOrEqual(
      STACK_WILDCARD_RULE_BUDGET,
    );
    for (const rule of eventRules) {
      expect(rule.Targets.length).toBeLessThanOrEqual(TARGETS_PER_RULE_QUOTA);
      expect(JSON.stringify(rule.EventPattern).length).toBeLessThanOrEqual(EVENT_PATTERN_MAX_CHARS);
      expect(rule.Description.length).toBeLessThanOrEqual(512);
    }
  });

  it('names every rule id in exactly one EventBridge rule description', () => {
    for (const { ruleId } of files) {
      expect(eventRules.filter((rule) => rule.Description.includes(ruleId))).toHaveLength(1);
    }
  });

  it('covers every rule: events matching a rule’s own pattern match a deployed pattern', () => {
    const deployed = eventRules.map((rule) => rule.EventPattern);
    let checked = 0;
    for (const { file, query } of files) {
      const ast = parseKql(query);
      const { pattern } = compileEventPattern(ast);
      const envelopes = fc.sample(cloudTrailDeliveryArbitrary(ast), { numRuns: 60, seed: 42 }).map((delivery) => delivery.envelope);
      const own = envelopes.filter((envelope) => matchesEventPattern(pattern, envelope));
      checked += own.length;
      for (const envelope of own) {
        if (!deployed.some((candidate) => matchesEventPattern(candidate, envelope))) {
          throw new Error(`${file}: no deployed pattern matches ${JSON.stringify(envelope)}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(RULE_COUNT * 5);
  });

  it('packages rules.json with all 139 rules', () => {
    const pack = JSON.parse(readFileSync(join(synthesized.bundleDirectory, 'rules.json'), 'utf8'));
    expect(pack.rules.map((rule: { ruleId: string }) => rule.ruleId).sort()).toEqual(files.map(({ ruleId }) => ruleId).sort());
  });

  it('cdk synth -c rulesDir=<the 139-rule folder> deploys the whole pack, cdk-nag clean, nothing reported unsupported', () => {
    expect(loadRulePack(ELASTIC_DIR).unsupported).toEqual([]);
    const result = cdkSynth('alertEmails=secops@example.com', `rulesDir=${ELASTIC_DIR}`);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
  });
});

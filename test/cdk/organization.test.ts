import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DetectorStack } from '../../lib/detector-stack';
import { CENTRAL_BUS_ARN_PARAMETER, ForwarderStack } from '../../lib/forwarder-stack';
import { centralBusArnFromContext, parseAccountNames, parseOrganizationId } from '../../lib/organization';
import { addPostureChecks } from '../../lib/posture';
import { projectContext, synthesizeDetector, type SynthesizedDetector } from '../support/synthesize-detector';

type Resources = Record<string, { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any> }>;

const ORGANIZATION_ID = 'o-a1b2c3d4e5';
const ACCOUNT_NAMES = { '210987654321': 'Payments-Prod' };

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function ofType(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** Every statement of every identity policy (inline role policies and policy resources). */
function identityStatements(template: Template): Record<string, any>[] {
  return [
    ...Object.values(ofType(template, 'AWS::IAM::Role')).flatMap((role) => (role.Properties?.Policies ?? []).flatMap((p: any) => asArray(p.PolicyDocument.Statement))),
    ...Object.values(ofType(template, 'AWS::IAM::Policy')).flatMap((p) => asArray(p.Properties!.PolicyDocument.Statement)),
    ...Object.values(ofType(template, 'AWS::IAM::ManagedPolicy')).flatMap((p) => asArray(p.Properties!.PolicyDocument.Statement)),
  ];
}

/** EventPatterns of the rules on the default bus (no EventBusName) or on any other bus. */
function patterns(template: Template, bus: 'default' | 'custom'): string[] {
  return Object.values(ofType(template, 'AWS::Events::Rule'))
    .filter((rule) => (rule.Properties!.EventBusName === undefined) === (bus === 'default'))
    .map((rule) => JSON.stringify(rule.Properties!.EventPattern))
    .sort();
}

function synthesizeForwarder(context: Record<string, string>): { template: Template; app: App; stack: ForwarderStack } {
  const app = new App({ context: projectContext(context) });
  addPostureChecks(app);
  const stack = new ForwarderStack(app, 'Forwarder');
  app.synth(); // throws on any unacknowledged cdk-nag finding
  return { template: Template.fromStack(stack), app, stack };
}

describe('organization (central) mode', () => {
  let central: SynthesizedDetector;
  let forwarder: Template;
  let forwarderStack: ForwarderStack;
  let forwarderAssembly: ReturnType<App['synth']>;

  beforeAll(() => {
    // Both synthesize with cdk-nag (AwsSolutions + Serverless) and throw on any unacknowledged finding.
    central = synthesizeDetector({ organizationId: ORGANIZATION_ID, alertEmails: 'a@example.com', accountNames: JSON.stringify(ACCOUNT_NAMES) });
    const synthesized = synthesizeForwarder({});
    forwarder = synthesized.template;
    forwarderStack = synthesized.stack;
    forwarderAssembly = synthesized.app.synth();
  });

  describe('central event bus', () => {
    it('is a custom bus whose policy admits PutEvents only from principals of the organization', () => {
      const buses = Object.entries(ofType(central.template, 'AWS::Events::EventBus'));
      expect(buses).toHaveLength(1);
      const [busId, bus] = buses[0];
      expect(bus.Properties!.Name).toBe('cloudtrail-detector');

      const policies = Object.values(ofType(central.template, 'AWS::Events::EventBusPolicy'));
      expect(policies.length).toBeGreaterThan(0);
      const statements = policies.flatMap((policy) => asArray(policy.Properties!.Statement));
      expect(statements).toEqual([
        {
          Sid: expect.any(String),
          Effect: 'Allow',
          Principal: '*',
          Action: 'events:PutEvents',
          Resource: { 'Fn::GetAtt': [busId, 'Arn'] },
          Condition: {
            StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION_ID },
            // Only the forwarder roles, by name (issue 10, case 9): not any principal of the organization.
            ArnLike: { 'aws:PrincipalArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/CloudTrailDetectorForwarder-*']] } },
          },
        },
      ]);
      // No legacy single-principal form, and no open statement without the organization condition.
      for (const policy of policies) {
        expect(policy.Properties!.Principal).toBeUndefined();
        expect(policy.Properties!.EventBusName).toEqual({ Ref: busId });
      }
      for (const statement of statements) {
        const openPrincipal = statement.Principal === '*' || asArray(statement.Principal?.AWS).includes('*');
        if (openPrincipal) expect(statement.Condition?.StringEquals?.['aws:PrincipalOrgID']).toBe(ORGANIZATION_ID);
      }
    });

    it('is where the detector rules listen, and names itself in an output', () => {
      const [busId] = Object.keys(ofType(central.template, 'AWS::Events::EventBus'));
      const triggers = Object.entries(ofType(central.template, 'AWS::Events::Rule')).filter(([id]) => id.startsWith('Triggers'));
      expect(triggers.length).toBeGreaterThan(0);
      for (const [, rule] of triggers) {
        expect(rule.Properties!.EventBusName).toEqual({ Ref: busId });
        expect(rule.Properties!.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [expect.stringMatching(/^DetectorFunction/), 'Arn'] } })]);
      }
      central.template.hasOutput('CentralEventBusArn', { Value: { 'Fn::GetAtt': [busId, 'Arn'] } });
    });

    it("forwards the central account's own events from its default bus with the same patterns and a PutEvents-only role", () => {
      const [busId] = Object.keys(ofType(central.template, 'AWS::Events::EventBus'));
      expect(patterns(central.template, 'default')).toEqual(patterns(central.template, 'custom'));
      const local = Object.entries(ofType(central.template, 'AWS::Events::Rule')).filter(([id]) => id.startsWith('LocalForwarder'));
      expect(local.length).toBe(patterns(central.template, 'custom').length);
      for (const [, rule] of local) {
        expect(rule.Properties!.EventBusName).toBeUndefined();
        expect(rule.Properties!.Targets).toEqual([
          {
            Id: 'Target0',
            Arn: { 'Fn::GetAtt': [busId, 'Arn'] },
            RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^LocalForwarderRole/), 'Arn'] },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/^FailuresEventDelivery/), 'Arn'] } },
            RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
          },
        ]);
      }
      const [role] = Object.values(ofType(central.template, 'AWS::IAM::Role')).filter((r) => JSON.stringify(r.Properties!.AssumeRolePolicyDocument).includes('events.amazonaws.com'));
      expect(role.Properties!.Policies.flatMap((p: any) => asArray(p.PolicyDocument.Statement))).toEqual([
        { Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [busId, 'Arn'] } },
      ]);
    });

    it('packages the account names next to rules.json for the function', () => {
      expect(readdirSync(central.bundleDirectory).sort()).toEqual(['detector-config.json', 'enrichment', 'exceptions.json', 'index.js', 'index.js.map', 'rules.json']);
      expect(JSON.parse(readFileSync(join(central.bundleDirectory, 'detector-config.json'), 'utf8'))).toEqual({ accountNames: ACCOUNT_NAMES });
    });
  });

  describe('forwarder template (member accounts, StackSets)', () => {
    it('selects exactly the events the detector does: identical patterns, one rule per group, on the default bus', () => {
      expect(patterns(forwarder, 'default')).toEqual(patterns(central.template, 'custom'));
      expect(patterns(forwarder, 'custom')).toEqual([]);
    });

    it('targets the central bus ARN parameter with its own role, a retry policy and a dead-letter queue', () => {
      const rules = Object.values(ofType(forwarder, 'AWS::Events::Rule'));
      for (const rule of rules) {
        expect(rule.Properties!.Targets).toEqual([
          {
            Id: 'Target0',
            Arn: { Ref: CENTRAL_BUS_ARN_PARAMETER },
            RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^ForwarderRole/), 'Arn'] },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/^ForwarderDeadLetterQueue/), 'Arn'] } },
            RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
          },
        ]);
      }
    });

    it('gives the role nothing but events:PutEvents on the central bus, assumable only by EventBridge of this account', () => {
      const roles = Object.values(ofType(forwarder, 'AWS::IAM::Role'));
      expect(roles).toHaveLength(1);
      expect(roles[0].Properties!.ManagedPolicyArns).toBeUndefined();
      // The name the central bus policy admits (issue 10, case 9).
      expect(roles[0].Properties!.RoleName).toEqual({ 'Fn::Join': ['', ['CloudTrailDetectorForwarder-', { Ref: 'AWS::Region' }]] });
      expect(identityStatements(forwarder)).toEqual([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: { Ref: CENTRAL_BUS_ARN_PARAMETER } }]);
      expect(roles[0].Properties!.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: 'events.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        },
      ]);
    });

    it('encrypts the dead-letter queue with a rotated CMK that EventBridge rules of this account may use', () => {
      forwarder.hasResourceProperties('AWS::SQS::Queue', {
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ForwarderKey'), 'Arn'] },
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
      forwarder.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'EventBridgeTargetDeadLetters',
              Principal: { Service: 'events.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
              Condition: {
                StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
                ArnLike: { 'aws:SourceArn': Match.anyValue() },
              },
            }),
          ]),
        },
      });
      forwarder.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage' }),
          ]),
        },
      });
    });

    it('is a StackSets-ready template: no assets, no Lambda, no bootstrap parameter, environment-agnostic', () => {
      const json = forwarder.toJSON();
      expect(Object.keys(json.Parameters ?? {})).toEqual([CENTRAL_BUS_ARN_PARAMETER]);
      expect(json.Rules).toBeUndefined();
      expect(Object.keys(ofType(forwarder, 'AWS::Lambda::Function'))).toEqual([]);
      const text = JSON.stringify(json);
      expect(text).not.toMatch(/BootstrapVersion|cdk-hnb659fds|AssetParameters|S3Key|cdk-assets|\.zip/);
      expect(text).not.toMatch(/\d{12}/); // no account baked in: the StackSet instance supplies it
      const artifact = forwarderAssembly.getStackArtifact(forwarderStack.artifactId);
      expect(artifact.dependencies.map((dependency) => dependency.id)).toEqual([]); // no asset manifest
      expect(existsSync(join(forwarderAssembly.directory, `${forwarderStack.artifactId}.assets.json`))).toBe(false);
      expect(artifact.environment).toEqual(expect.objectContaining({ account: 'unknown-account', region: 'unknown-region' }));
    });

    it('defaults the parameter from centralBusArn or centralAccountId + centralRegion context', () => {
      const arn = 'arn:aws:events:us-east-1:111122223333:event-bus/cloudtrail-detector';
      const fromArn = synthesizeForwarder({ centralBusArn: arn }).template.toJSON();
      expect(fromArn.Parameters[CENTRAL_BUS_ARN_PARAMETER].Default).toBe(arn);
      const fromParts = synthesizeForwarder({ centralAccountId: '111122223333', centralRegion: 'us-east-1' }).template.toJSON();
      expect(fromParts.Parameters[CENTRAL_BUS_ARN_PARAMETER].Default).toBe(arn);
      const context = (values: Record<string, unknown>) => (key: string) => values[key];
      expect(() => centralBusArnFromContext(context({ centralAccountId: '111122223333' }))).toThrow(/go together/);
      expect(() => centralBusArnFromContext(context({ centralBusArn: 'arn:aws:sns:us-east-1:111122223333:x' }))).toThrow(/centralBusArn.*arn:aws:sns/);
    });

    it('writes every cdk-nag acknowledgement, with a specific reason, into the template', () => {
      const acknowledged = Object.entries(forwarder.toJSON().Resources as Resources).flatMap(([id, resource]) =>
        (resource.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((rule: { id: string; reason: string }) => {
          expect(rule.reason.length).toBeGreaterThanOrEqual(100);
          return `${id.replace(/[0-9A-F]{8}$/, '')}:${rule.id}`;
        }),
      );
      expect(acknowledged.sort()).toEqual(['ForwarderDeadLetterQueue:AwsSolutions-SQS3', 'ForwarderDeadLetterQueue:Serverless-SQSRedrivePolicy']);
    });
  });

  describe('context validation', () => {
    it('accepts organization ids and names a bad one', () => {
      expect(parseOrganizationId(undefined)).toBeUndefined();
      expect(parseOrganizationId('o-a1b2c3d4e5')).toBe('o-a1b2c3d4e5');
      for (const bad of ['o-short', 'O-A1B2C3D4E5', 'a1b2c3d4e5', 'o-a1b2c3d4e5!', 42]) {
        expect(() => parseOrganizationId(bad)).toThrow(new RegExp(`organizationId.*${JSON.stringify(bad).replace(/[!]/g, '\\$&')}`));
      }
      const app = new App({ context: { alertEmails: 'a@example.com', organizationId: 'o-BAD' } });
      expect(() => new DetectorStack(app, 'Detector')).toThrow(/organizationId.*"o-BAD"/);
    });

    it('accepts an account-names JSON object and names every bad entry', () => {
      expect(parseAccountNames('{"123456789012":"Payments-Prod"}')).toEqual({ '123456789012': 'Payments-Prod' });
      expect(parseAccountNames({ '123456789012': ' Payments-Prod ' })).toEqual({ '123456789012': 'Payments-Prod' });
      expect(parseAccountNames(undefined)).toEqual({});
      expect(() => parseAccountNames('{not json')).toThrow(/accountNames: must be a JSON object/);
      expect(() => parseAccountNames('["123456789012"]')).toThrow(/accountNames: must be a JSON object/);
      expect(() => parseAccountNames({ '12345': 'x', '123456789012': 'a\nb' })).toThrow(/"12345" is not a 12-digit account id.*123456789012/);
    });

    it('leaves single-account mode as it was: no custom bus, no forwarder, rules on the default bus', () => {
      const app = new App({ context: { alertEmails: 'a@example.com' } });
      const template = Template.fromStack(new DetectorStack(app, 'Detector'));
      expect(Object.keys(ofType(template, 'AWS::Events::EventBus'))).toEqual([]);
      expect(patterns(template, 'custom')).toEqual([]);
      expect(Object.keys(ofType(template, 'AWS::Events::Rule')).every((id) => id.startsWith('Triggers'))).toBe(true);
    });
  });
});

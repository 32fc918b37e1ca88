import { App, CfnResource, Stack, TagManager } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudTrailDetector, type CloudTrailDetectorProps, DetectorConfigError, DetectorRules, UNSUPPORTED_RULES_WARNING_ID } from '../../lib';
import { parseRuleToml, RuleFileError } from '../../src/engine/rules';

const SEED_FILE = join(__dirname, '../../rules/exfiltration_rds_snapshot_export.toml');
const seedText = readFileSync(SEED_FILE, 'utf8');

/** The seed rule as another rule: its own id and name, the given action and type. */
function ruleVariant(id: string, action: string, type = 'query') {
  return parseRuleToml(
    seedText
      .replace(/rule_id = "[^"]+"/, `rule_id = "${id}"`)
      .replace('name = "AWS RDS Snapshot Export"', `name = "Variant ${id}"`)
      .replace('event.action:StartExportTask', `event.action:${action}`)
      .replace('type = "query"', `type = "${type}"`),
    `${id}.toml`,
    { acceptUnsupportedType: true },
  );
}

/** A stack in an app that does not bundle the function (fast); the packaged files are still staged. */
function newStack(context: Record<string, unknown> = {}): { app: App; stack: Stack } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  return { app, stack: new Stack(app, 'Tooling') };
}

/** The files packaged with each detector function in the synthesized assembly, by construct path. */
function packagedRules(app: App, stack: Stack): Record<string, string[]> {
  const assembly = app.synth();
  const template = Template.fromStack(stack);
  const assets = JSON.parse(readFileSync(join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8'));
  const result: Record<string, string[]> = {};
  for (const [logicalId, fn] of Object.entries(template.findResources('AWS::Lambda::Function'))) {
    const [, asset] = Object.entries<any>(assets.files).find(([, file]) => Object.values<any>(file.destinations).some((d) => d.objectKey === fn.Properties.Code.S3Key))!;
    const pack = JSON.parse(readFileSync(join(assembly.directory, asset.source.path, 'rules.json'), 'utf8'));
    result[logicalId] = pack.rules.map((rule: { ruleId: string }) => rule.ruleId);
  }
  return result;
}

describe('CloudTrailDetector', () => {
  it('fails the synth when no one would receive alerts, and says what to set', () => {
    const { app, stack } = newStack();
    new CloudTrailDetector(stack, 'Detector');
    expect(() => app.synth()).toThrow(/no one would receive alerts\. Give alertEmails or alertSubscriptions, or set allowNoSubscribers/);
  });

  it.each<[string, (stack: Stack) => CloudTrailDetectorProps, (detector: CloudTrailDetector, stack: Stack) => void]>([
    ['an e-mail address', () => ({ alertEmails: ['secops@example.com'] }), () => undefined],
    ['a subscription prop', (stack) => ({ alertSubscriptions: [new subscriptions.SqsSubscription(new sqs.Queue(stack, 'Queue'))] }), () => undefined],
    ['a subscription added afterwards', () => ({}), (detector, stack) => new sns.Subscription(stack, 'Later', { topic: detector.alertTopic, protocol: sns.SubscriptionProtocol.HTTPS, endpoint: 'https://soar.example.com/hook' })],
    ['allowNoSubscribers', () => ({ allowNoSubscribers: true }), () => undefined],
  ])('accepts %s as someone to alert', (_name, props, after) => {
    const { app, stack } = newStack();
    const detector = new CloudTrailDetector(stack, 'Detector', props(stack));
    after(detector, stack);
    expect(() => app.synth()).not.toThrow();
  });

  it('takes rule objects, leaves out the types it cannot run and warns once about them', () => {
    const { stack } = newStack();
    const detector = new CloudTrailDetector(stack, 'Detector', {
      alertEmails: ['secops@example.com'],
      rules: DetectorRules.fromRules([
        ruleVariant('rule-one', 'StartExportTask'),
        ruleVariant('rule-two', 'CopyDBSnapshot'),
        ruleVariant('rule-three', 'DeleteDBSnapshot', 'machine_learning'),
      ]),
    });
    expect(detector.rules.map((compiled) => compiled.rule.ruleId)).toEqual(['rule-one', 'rule-two']);
    expect(detector.unsupportedRules.map((rule) => rule.ruleId)).toEqual(['rule-three']);
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('not deployed'));
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0].entry.data)).toBe(
      `rules (rule objects): 1 of 3 rules not deployed: their types are not supported yet (1 machine_learning)\n  - rule-three.toml (machine_learning): Variant rule-three [ack: ${UNSUPPORTED_RULES_WARNING_ID}]`,
    );
    expect(Template.fromStack(stack).findResources('AWS::Events::Rule')).not.toEqual({});
  });

  it('refuses rule objects that reuse an id, naming both', () => {
    const { stack } = newStack();
    expect(() => new CloudTrailDetector(stack, 'Detector', { alertEmails: ['a@example.com'], rules: DetectorRules.fromRules([ruleVariant('same-id', 'A'), ruleVariant('same-id', 'B')]) })).toThrow(RuleFileError);
  });

  it('refuses bad props with a DetectorConfigError naming the prop', () => {
    const cases: Array<[CloudTrailDetectorProps, RegExp]> = [
      [{ alertEmails: ['secops@example'] }, /^alertEmails: "secops@example" is not an e-mail address/],
      [{ allowNoSubscribers: true, reservedConcurrency: 0 }, /^reservedConcurrency: must be a positive integer/],
      [{ allowNoSubscribers: true, tags: { 'aws:owner': 'x' } }, /^tags: key "aws:owner"/],
      [{ allowNoSubscribers: true, organization: { organizationId: 'o-nope' } }, /^organizationId: must be an AWS Organizations id/],
      [{ allowNoSubscribers: true, exceptions: { directory: '/no/such/folder' } }, /^exceptionsDir: "\/no\/such\/folder" does not exist/],
    ];
    for (const [props, message] of cases) {
      const { stack } = newStack();
      let thrown: unknown;
      try {
        new CloudTrailDetector(stack, 'Detector', props);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(DetectorConfigError);
      expect((thrown as Error).message).toMatch(message);
    }
  });

  it('tags every taggable resource with the application and the user’s tags', () => {
    const { app, stack } = newStack();
    new CloudTrailDetector(stack, 'Detector', { alertEmails: ['secops@example.com'], organization: { organizationId: 'o-a1b2c3d4e5' }, tags: { team: 'secops', 'cost-center': '4711' } });
    app.synth();
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Properties: Record<string, any> }>;
    const taggable = stack.node.findAll().filter((construct): construct is CfnResource => construct instanceof CfnResource && TagManager.of(construct) !== undefined);
    expect(taggable.length).toBeGreaterThan(15);
    for (const resource of taggable) {
      const tags = resources[stack.resolve(resource.logicalId)].Properties.Tags;
      const asList = Array.isArray(tags) ? tags : Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
      expect({ resource: resource.cfnResourceType, tags: asList }).toEqual({
        resource: resource.cfnResourceType,
        tags: expect.arrayContaining([
          { Key: 'application', Value: 'cloudtrail-stream-detector' },
          { Key: 'team', Value: 'secops' },
          { Key: 'cost-center', Value: '4711' },
        ]),
      });
    }
  });

  it('packages each detector’s own rules when one stack has two', () => {
    const { app, stack } = newStack();
    new CloudTrailDetector(stack, 'Exports', { alertEmails: ['data@example.com'], rules: DetectorRules.fromRules([ruleVariant('exports-only', 'StartExportTask')]) });
    new CloudTrailDetector(stack, 'Copies', { alertEmails: ['dba@example.com'], rules: DetectorRules.fromRules([ruleVariant('copies-only', 'CopyDBSnapshot')]) });
    expect(Object.values(packagedRules(app, stack)).sort()).toEqual([['copies-only'], ['exports-only']]);
  });

  it('leaves nothing in the temporary folder and no staging folder in the assembly', () => {
    const previous = process.env.TMPDIR;
    const temporary = mkdtempSync(join(tmpdir(), 'detector-synth-'));
    const outdir = mkdtempSync(join(tmpdir(), 'detector-assembly-'));
    process.env.TMPDIR = temporary;
    try {
      const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
      new CloudTrailDetector(new Stack(app, 'Tooling'), 'Detector', { alertEmails: ['secops@example.com'], accountNames: { '123456789012': 'Payments-Prod' } });
      app.synth();
    } finally {
      process.env.TMPDIR = previous;
    }
    expect(readdirSync(temporary)).toEqual([]);
    expect(readdirSync(outdir).filter((name) => name.startsWith('.detector-code-'))).toEqual([]);
  });
});

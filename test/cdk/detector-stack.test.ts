import { App, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DETECTOR_RUNTIME } from '../../lib/constructs/detector-function';
import { synthesizeDetector as synthesize, type SynthesizedDetector } from '../support/synthesize-detector';
import { DetectorStack } from '../../lib/detector-stack';
import { enrichmentBundleFiles } from '../../lib/enrichment-bundle';
import { Reader } from 'mmdb-lib';
import { buildTestDatabase, MAXMIND_TEST_CITY_ENTRIES } from '../../src/conformance/maxmind-test-databases';
import { shippedCountryDatabase } from '../../src/enrichment/shipped-databases';

const SEED_RULE_ID = '119c8877-8613-416d-a98a-96b6664ee73a';
const SEED_PATTERN = {
  source: ['aws.rds'],
  'detail-type': ['AWS API Call via CloudTrail'],
  detail: { eventSource: ['rds.amazonaws.com'], eventName: ['StartExportTask'], errorCode: [{ exists: false }, null, '', '-', 'none'] },
};

/** Every statement of every identity-based policy in the template. */
function identityStatements(template: Template): Record<string, unknown>[] {
  const roles = Object.values(template.findResources('AWS::IAM::Role'));
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  return [
    ...roles.flatMap((role) => (role.Properties.Policies ?? []).flatMap((policy: { PolicyDocument: { Statement: unknown[] } }) => policy.PolicyDocument.Statement)),
    ...policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement),
  ];
}

describe('DetectorStack', () => {
  let synthesized: SynthesizedDetector;
  let template: Template;

  beforeAll(() => {
    synthesized = synthesize({ alertEmails: 'a@example.com, b@example.com' });
    template = synthesized.template;
  });

  it('triggers on the seed rule with the pattern compiled from its query', () => {
    // (The pattern is compared below with toEqual: the assertion matchers cannot hold the pattern's null matcher.)
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: SEED_PATTERN.source }),
      State: 'ENABLED',
      Description: Match.stringLikeRegexp(SEED_RULE_ID),
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DetectorFunction'), 'Arn'] } })],
    });
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    const seed = rules.find((rule) => String(rule.Properties.Description).includes(SEED_RULE_ID));
    expect(seed?.Properties.EventPattern).toEqual(SEED_PATTERN);
  });

  it('lets only EventBridge, for its own rules, invoke the function', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Triggers'), 'Arn'] },
    });
  });

  it('runs the newest Node.js runtime on arm64 with its own log group', () => {
    const newestNode = Object.values(Runtime)
      .filter((runtime): runtime is Runtime => runtime instanceof Runtime && /^nodejs\d+\.x$/.test(runtime.name))
      .map((runtime) => runtime.name)
      .sort((a, b) => parseInt(a.slice(6), 10) - parseInt(b.slice(6), 10))
      .pop();
    expect(DETECTOR_RUNTIME.name).toBe(newestNode);
    expect(DETECTOR_RUNTIME.name).toBe(Runtime.NODEJS_LATEST.name);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: newestNode,
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 30,
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^DetectorLogs') } },
      Environment: {
        Variables: {
          ALERT_TOPIC_ARN: { Ref: Match.stringLikeRegexp('^AlertTopic') },
          ALERT_ARCHIVE_BUCKET: { Ref: Match.stringLikeRegexp('^AlertArchiveBucket') },
          ALERT_ARCHIVE_PREFIX: 'alerts/',
          // Past the 30 s timeout, short of Lambda's first retry a minute later (docs/delivery.md).
          ALERT_CLAIM_LEASE_SECONDS: '45',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  it('encrypts the topic with a customer-managed key that rotates', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertKey'), 'Arn'] },
    });
  });

  it('restricts the topic to its owner and to HTTPS', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'TopicOwnerOnlyAccess',
            Effect: 'Allow',
            Condition: { StringEquals: { 'AWS:SourceOwner': { Ref: 'AWS::AccountId' } } },
          }),
          Match.objectLike({
            Sid: 'HttpsOnly',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('subscribes every address from the alertEmails context', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    for (const address of ['a@example.com', 'b@example.com']) {
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: address });
    }
  });

  it('archives to a private, SSL-only, versioned, KMS-encrypted bucket that is kept and aged out', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlertKey'), 'Arn'] },
              },
            },
          ],
        },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({
              Status: 'Enabled',
              NoncurrentVersionExpiration: { NoncurrentDays: 90 },
              Transitions: [
                { StorageClass: 'STANDARD_IA', TransitionInDays: 90 },
                { StorageClass: 'GLACIER', TransitionInDays: 365 },
              ],
            }),
          ],
        },
      }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('grants the function exactly: own log streams, publish to the topic, put/get under alerts/ and suppression/, the key via SNS/S3, the failure queue', () => {
    const statements = identityStatements(template);
    expect(statements).toEqual([
      { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^DetectorLogs/), 'Arn'] } },
      { Sid: 'PublishAlerts', Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: expect.stringMatching(/^AlertTopic/) } },
      {
        Sid: 'ArchiveAlerts',
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^AlertArchiveBucket/), 'Arn'] }, '/alerts/*']] },
      },
      {
        Sid: 'ReadArchivedAlerts',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^AlertArchiveBucket/), 'Arn'] }, '/alerts/*']] },
      },
      {
        Sid: 'TrackSuppressionWindows',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^AlertArchiveBucket/), 'Arn'] }, '/suppression/*']] },
      },
      {
        Sid: 'EncryptAlerts',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^AlertKey/), 'Arn'] },
        Condition: {
          StringEquals: {
            'kms:ViaService': [
              { 'Fn::Join': ['', ['sns.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
              { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
            ],
          },
        },
      },
      { Sid: 'SendFailedInvocations', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^FailuresInvocationFailures/), 'Arn'] } },
      {
        Sid: 'EncryptFailedInvocations',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^FailuresKey/), 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['sqs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } },
      },
    ]);
  });

  it('has no wildcard actions, no Resource "*" in identity policies and no managed policies', () => {
    const json = JSON.stringify(identityStatements(template));
    expect(json).not.toMatch(/"Action":"[^"]*\*"|"Action":\[[^\]]*\*/);
    expect(json).not.toMatch(/"Resource":"\*"/);
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  it('outputs the topic ARN, bucket name and function name', () => {
    template.hasOutput('AlertTopicArn', { Value: { Ref: Match.stringLikeRegexp('^AlertTopic') } });
    template.hasOutput('AlertArchiveBucketName', { Value: { Ref: Match.stringLikeRegexp('^AlertArchiveBucket') } });
    template.hasOutput('DetectorFunctionName', { Value: { Ref: Match.stringLikeRegexp('^DetectorFunction') } });
  });

  it('packages rules.json with the seed rule next to the bundled handler', () => {
    expect(readdirSync(synthesized.bundleDirectory).sort()).toEqual(['enrichment', 'exceptions.json', 'index.js', 'index.js.map', 'rules.json']);
    const pack = JSON.parse(readFileSync(join(synthesized.bundleDirectory, 'rules.json'), 'utf8'));
    expect(pack.format).toBe('cloudtrail-stream-detector/rule-pack');
    expect(pack.rules.map((rule: { ruleId: string }) => rule.ruleId)).toContain(SEED_RULE_ID);
    // The AWS SDK clients are bundled (lib/lambda-bundle-options.ts) rather than taken from the runtime.
    expect(readFileSync(join(synthesized.bundleDirectory, 'index.js'), 'utf8')).toContain('PublishCommand');
  });

  it('ships the GeoIP/ASN databases and the user-agent regexes in the bundle (no network at run time)', () => {
    const directory = join(synthesized.bundleDirectory, 'enrichment');
    expect(readdirSync(directory).sort()).toEqual(['asn.mmdb', 'geo.mmdb', 'uap-regexes.json']);
    expect(readFileSync(join(directory, 'geo.mmdb')).equals(readFileSync(shippedCountryDatabase()))).toBe(true);
    const asn = new Reader<Record<string, unknown>>(readFileSync(join(directory, 'asn.mmdb')));
    expect(asn.metadata.databaseType).toBe('ip-location-db-ASN');
    expect(asn.get('52.94.76.1')).toEqual({ autonomous_system_number: 16509, autonomous_system_organization: 'Amazon.com, Inc.' });
    const regexes = JSON.parse(readFileSync(join(directory, 'uap-regexes.json'), 'utf8'));
    expect(regexes.user_agent_parsers.length).toBeGreaterThan(300);
  });

  it('is environment-agnostic (no account or region baked in)', () => {
    expect(Token.isUnresolved(synthesized.stack.account)).toBe(true);
    expect(Token.isUnresolved(synthesized.stack.region)).toBe(true);
  });
});

describe('DetectorStack context', () => {
  const noBundling = (context: Record<string, unknown>) => new App({ context: { 'aws:cdk:bundling-stacks': [], alertEmails: 'none', ...context } });

  it('fails the synth naming a GeoIP or ASN database that is missing or of the wrong kind', () => {
    expect(() => new DetectorStack(noBundling({ geoipDatabase: '/nonexistent/GeoLite2-City.mmdb' }), 'Detector')).toThrow(
      'geoipDatabase: /nonexistent/GeoLite2-City.mmdb does not exist',
    );
    const city = join(mkdtempSync(join(tmpdir(), 'geoip-')), 'GeoLite2-City.mmdb');
    writeFileSync(city, buildTestDatabase('GeoLite2-City', MAXMIND_TEST_CITY_ENTRIES));
    expect(() => new DetectorStack(noBundling({ asnDatabase: city }), 'Detector')).toThrow(
      `asnDatabase: ${city} is a GeoLite2-City database; give an ASN database`,
    );
    expect(() => new DetectorStack(noBundling({ geoipDatabase: city }), 'Detector')).not.toThrow();
    expect(() => new DetectorStack(noBundling({ enrich: 'false', geoipDatabase: city }), 'Detector')).toThrow(/enrich=false cannot be combined/);
    expect(() => new DetectorStack(noBundling({ enrich: 'maybe' }), 'Detector')).toThrow('enrich: must be true or false, got "maybe"');
  });

  it('ships no enrichment files with enrich=false', () => {
    expect(enrichmentBundleFiles({ enabled: false })).toEqual([]);
    expect(enrichmentBundleFiles({})).toEqual(
      expect.arrayContaining([{ name: 'enrichment/geo.mmdb', sourcePath: expect.stringMatching(/geo-whois-asn-country\.mmdb$/) }]),
    );
  });

  it('fails the synth naming every invalid alert address', () => {
    const app = new App({ context: { alertEmails: 'ok@example.com,not-an-email, also@bad' } });
    expect(() => new DetectorStack(app, 'Detector')).toThrow(/"not-an-email", "also@bad"/);
  });

  it('changes the code asset when the rules change', () => {
    const rulesDir = mkdtempSync(join(tmpdir(), 'detector-rules-test-'));
    const seedFile = join(__dirname, '../../rules/exfiltration_rds_snapshot_export.toml');
    expect(existsSync(seedFile)).toBe(true);
    copyFileSync(seedFile, join(rulesDir, 'seed.toml'));
    const codeKey = (context: Record<string, string>) => {
      const app = new App({ context });
      const stack = new DetectorStack(app, 'Detector');
      return Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0].Properties.Code.S3Key;
    };
    expect(codeKey({ alertEmails: 'a@example.com', rulesDir })).not.toEqual(codeKey({ alertEmails: 'a@example.com' }));
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseReportArgs } from '../../src/report/main';
import { cell } from '../../src/report/markdown';
import { renderValue } from '../../src/report/render-intrinsics';
import { renderReport } from '../../src/report/report';
import type { ReportInput } from '../../src/report/report-input';
import { MESSAGE_ATTRIBUTES } from '../../src/report/sections/delivery';
import { RESOURCE_STAR_REASONS, resourceStarReason } from '../../src/report/sections/permissions';
import { encryptionRows } from '../../src/report/sections/encryption';
import { cdkContext, synthesizeForReport } from '../../src/report/synthesize';
import { asArray, ofType, policies, type CfnTemplate } from '../../src/report/template';

const EMAILS = ['secops@example.com', 'oncall@example.com'];

/** The lines from `heading` to the next heading of the same or a higher level. */
function section(report: string, heading: string): string {
  const lines = report.split('\n');
  const start = lines.findIndex((line) => line === heading);
  if (start < 0) throw new Error(`no heading ${heading}`);
  const level = heading.match(/^#+/)![0].length;
  const end = lines.findIndex((line, i) => i > start && /^#+ /.test(line) && line.match(/^#+/)![0].length <= level);
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

describe('audit report of the synthesized stack', () => {
  let input: ReportInput;
  let template: CfnTemplate;
  let report: string;

  beforeAll(() => {
    // Throws, like `cdk synth`, on any unacknowledged cdk-nag finding.
    input = synthesizeForReport({ alertEmails: EMAILS.join(',') });
    template = input.template;
    report = renderReport(input);
  });

  it('names every deployed rule with its id, severity, risk score, file and query, and every EventBridge pattern of the template', () => {
    expect(input.rules.supported.length).toBeGreaterThan(0);
    const rules = section(report, '### 1.1 Rules');
    for (const rule of input.rules.supported) {
      const own = section(rules, `#### ${rule.name}`);
      expect(own).toContain(`| rule_id | \`${rule.ruleId}\` |`);
      expect(own).toContain(`| Severity | ${rule.severity} |`);
      expect(own).toContain(`| Risk score | ${rule.riskScore} |`);
      for (const mapping of rule.threat) {
        expect(own).toMatch(new RegExp(`\\| MITRE ATT&CK \\|.*${mapping.tactic.id} ${mapping.tactic.name}`));
        for (const technique of mapping.technique) expect(own).toContain(`${technique.id} ${technique.name}`);
      }
      expect(own).toContain(rule.sourceFile);
      expect(own).toContain(rule.query.trim());
      expect(own).toMatch(/\| Pattern precision \| (precise|partial|broad)/);
    }
    const eventRules = ofType(template, 'AWS::Events::Rule');
    expect(eventRules.length).toBeGreaterThan(0);
    const deployed = section(report, '### 1.2 EventBridge rules in the template');
    for (const [id, rule] of eventRules) {
      expect(section(deployed, `#### \`${id}\``)).toContain(JSON.stringify(rule.Properties!.EventPattern, null, 2));
    }
  });

  it('shows where alerts go: the topic and its key, every e-mail endpoint with its redrive queue, the message attributes, the alarms', () => {
    const delivery = section(report, '## 2. Where alerts go');
    for (const [id, topic] of ofType(template, 'AWS::SNS::Topic')) {
      expect(delivery).toContain(`\`\${${id}}\` | ${topic.Properties!.DisplayName} | \`${renderValue(topic.Properties!.KmsMasterKeyId)}\``);
    }
    const subscriptions = ofType(template, 'AWS::SNS::Subscription');
    expect(subscriptions.map(([, s]) => s.Properties!.Endpoint).sort()).toEqual([...EMAILS].sort());
    for (const [id, subscription] of subscriptions) {
      const row = delivery.split('\n').find((line) => line.startsWith(`| \`${id}\``))!;
      expect(row).toContain(`| email | \`${subscription.Properties!.Endpoint}\` | \`${renderValue(subscription.Properties!.RedrivePolicy.deadLetterTargetArn)}\``);
    }
    for (const name of ['severity', 'rule_id', 'account', 'region']) expect(delivery).toContain(`| \`${name}\` |`);
    expect(Object.keys(MESSAGE_ATTRIBUTES).sort()).toEqual(['account', 'region', 'rule_id', 'severity']);
    const alarms = section(report, '### 2.5 Operational notifications (alarms)');
    for (const [id, alarm] of ofType(template, 'AWS::CloudWatch::Alarm')) {
      const row = alarms.split('\n').find((line) => line.startsWith(`| \`${id}\``))!;
      expect(row).toContain(`${alarm.Properties!.Namespace} ${alarm.Properties!.MetricName}`);
      expect(row).toContain(`${alarm.Properties!.ComparisonOperator} ${alarm.Properties!.Threshold}`);
      for (const action of [...alarm.Properties!.AlarmActions, ...alarm.Properties!.OKActions]) expect(row).toContain(`\`${renderValue(action)}\``);
    }
  });

  it('lists every IAM action of every role under that role, with its resources', () => {
    const roles = ofType(template, 'AWS::IAM::Role');
    expect(roles.length).toBeGreaterThan(0);
    for (const [id, role] of roles) {
      const own = section(report, `#### Role \`${id}\``);
      const statements = asArray<any>(role.Properties!.Policies).flatMap((policy) => asArray<any>(policy.PolicyDocument.Statement));
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        const row = own.split('\n').find((line) => line.startsWith(`| \`${statement.Sid}\` |`))!;
        for (const action of asArray<string>(statement.Action)) expect(row).toContain(`\`${action}\``);
        for (const resource of asArray(statement.Resource)) expect(row).toContain(`\`${renderValue(resource)}\``);
      }
    }
  });

  it('shows every resource policy statement with its principals', () => {
    const resourcePolicies = section(report, '### 3.2 Resource policies');
    for (const policy of policies(template).filter((p) => p.kind === 'resource')) {
      const own = section(resourcePolicies, `#### ${policy.holderType.replace(/^AWS::/, '')} \`${policy.holder}\``);
      for (const statement of policy.statements) {
        for (const action of asArray<string>(statement.Action)) expect(own).toContain(`\`${action}\``);
        if (statement.Principal?.Service) expect(own).toContain(`Service: ${statement.Principal.Service}`);
      }
    }
  });

  it('gives a reason for every Resource "*" in the template, and finds none in identity policies', () => {
    const stars = policies(template).flatMap((policy) => policy.statements.filter((s) => asArray(s.Resource).includes('*')).map((statement) => ({ policy, statement })));
    expect(stars.length).toBeGreaterThan(0);
    expect(stars.filter(({ policy }) => policy.kind === 'identity')).toEqual([]);
    const starSection = section(report, '### 3.3 Every `Resource: "*"`');
    for (const { policy, statement } of stars) {
      const reason = resourceStarReason(policy, statement);
      expect([policy.holder, statement.Sid, reason]).toEqual([policy.holder, statement.Sid, expect.any(String)]);
      expect(starSection).toContain(cell(reason!));
    }
    expect(starSection).not.toContain('NO REASON RECORDED');
    expect(starSection).toContain(`${stars.length} statement(s) with \`Resource: "*"\`, 0 of them in identity policies.`);
    // Every listed reason is used: a stale one would document a permission that no longer exists.
    const used = new Set(stars.map(({ policy, statement }) => resourceStarReason(policy, statement)));
    expect(Object.values(RESOURCE_STAR_REASONS).filter((reason) => !used.has(reason))).toEqual([]);
  });

  it('lists every encrypted resource with its key, and the bucket, log group and key protections', () => {
    const encryption = section(report, '## 4. Encryption and data protection');
    const row = (id: string) => encryption.split('\n').find((line) => line.startsWith(`| \`${id}\``)) ?? `(no row for ${id})`;
    for (const [id, resource] of [...ofType(template, 'AWS::SNS::Topic'), ...ofType(template, 'AWS::SQS::Queue')]) {
      expect(row(id)).toContain(`| SSE-KMS | \`${renderValue(resource.Properties!.KmsMasterKeyId)}\` |`);
    }
    for (const [id, bucket] of ofType(template, 'AWS::S3::Bucket')) {
      const sse = bucket.Properties!.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault;
      expect(row(id)).toContain(sse.KMSMasterKeyID ? `\`${renderValue(sse.KMSMasterKeyID)}\`` : 'SSE-S3 (AES256)');
      expect(row(id)).toContain('Block Public Access: all four on');
      expect(row(id)).toContain('SSL-only bucket policy: yes');
      expect(row(id)).toContain('versioning: Enabled');
    }
    for (const [id] of ofType(template, 'AWS::SQS::Queue')) expect(row(id)).toContain('SSL-only queue policy: yes');
    for (const [id, group] of ofType(template, 'AWS::Logs::LogGroup')) expect(row(id)).toContain(`retention ${group.Properties!.RetentionInDays} days`);
    for (const [id] of ofType(template, 'AWS::KMS::Key')) expect(row(id)).toContain('rotation on');
  });

  it('reports the cdk-nag packs, no unacknowledged finding, and every acknowledgement with its resource and reason', () => {
    const nag = section(report, '## 5. cdk-nag');
    expect(input.nag.map((pack) => pack.pack)).toEqual(['AwsSolutions', 'Serverless']);
    expect(nag).toContain('Unacknowledged findings: **0**');
    const acknowledged = Object.entries(template.Resources).flatMap(([id, resource]) =>
      asArray<{ id: string; reason: string }>(resource.Metadata?.cdk_nag?.rules_to_suppress).map((ack) => ({ logicalId: id, ...ack })),
    );
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(nag).toContain(`acknowledged findings: **${acknowledged.length}**`);
    for (const ack of acknowledged) {
      expect(nag).toContain(`| \`${ack.id}\` | \`${ack.logicalId}\``);
      expect(nag).toContain(cell(ack.reason));
    }
  });

  it('records the tool versions, the commit and the synth time', () => {
    const provenance = section(report, '## 6. Provenance');
    for (const name of ['node', 'aws-cdk-lib', 'cdk-nag', 'typescript', 'esbuild', 'cloudtrail-stream-detector', 'git commit']) {
      expect(provenance).toMatch(new RegExp(`\\| ${name} \\| \`[^\`]+\` \\|`));
    }
    expect(provenance).toContain(`| node | \`${process.version}\` |`);
    expect(provenance).toContain(`| aws-cdk-lib | \`${require('aws-cdk-lib/package.json').version}\` |`);
    expect(provenance).toContain(input.synth.startedAt.toISOString());
    expect(provenance).toContain(`alertEmails=${EMAILS.join(',')}`);
  });
});

describe('report arguments and context', () => {
  it('takes -c key=value (as cdk synth does) and --output', () => {
    expect(parseReportArgs([])).toEqual({ context: {}, output: 'cdk.out/audit-report.md', help: false });
    expect(parseReportArgs(['-c', 'alertEmails=a@example.com', '--context=rulesDir=x=y', '-o', '-'])).toEqual({
      context: { alertEmails: 'a@example.com', rulesDir: 'x=y' },
      output: '-',
      help: false,
    });
    expect(parseReportArgs(['--output=docs/audit-report.md']).output).toBe('docs/audit-report.md');
    expect(() => parseReportArgs(['-c', 'novalue'])).toThrow(/key=value/);
    expect(() => parseReportArgs(['--output'])).toThrow(/--output needs FILE/);
    expect(() => parseReportArgs(['--bogus'])).toThrow(/unknown option '--bogus'/);
    expect(parseReportArgs(['--help']).help).toBe(true);
  });

  it('layers cdk.context.json, cdk.json and the command line, and turns on path metadata', () => {
    const directory = mkdtempSync(join(tmpdir(), 'report-context-'));
    writeFileSync(join(directory, 'cdk.json'), JSON.stringify({ app: 'x', context: { a: 'json', b: 'json' } }));
    writeFileSync(join(directory, 'cdk.context.json'), JSON.stringify({ a: 'cached', c: 'cached' }));
    expect(cdkContext(directory, { b: 'cli' })).toEqual({ a: 'json', b: 'cli', c: 'cached', 'aws:cdk:enable-path-metadata': true });
  });
});

describe('the state table in the encryption section', () => {
  it('names its key, point-in-time recovery, TTL, billing and deletion policy', () => {
    const template = {
      Resources: {
        StateTable: {
          Type: 'AWS::DynamoDB::Table',
          DeletionPolicy: 'Retain',
          Properties: {
            BillingMode: 'PAY_PER_REQUEST',
            SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': ['StateKey', 'Arn'] } },
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
          },
        },
      },
    };
    expect(encryptionRows(template as never)).toEqual([
      {
        logicalId: 'StateTable',
        type: 'AWS::DynamoDB::Table',
        encryption: 'SSE-KMS (customer-managed key)',
        key: renderValue({ 'Fn::GetAtt': ['StateKey', 'Arn'] }),
        details: ['point-in-time recovery: on', 'TTL: on (expiresAt)', 'billing PAY_PER_REQUEST', 'deletion policy Retain'],
      },
    ]);
  });
});

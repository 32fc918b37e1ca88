import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { DetectorStack } from '../../lib/detector-stack';
import { acknowledge, addPostureChecks } from '../../lib/posture';
import { projectContext, synthesizeDetector } from '../support/synthesize-detector';

type Statement = Record<string, any>;
type Resources = Record<string, { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, any> }>;

/**
 * `Resource: "*"` allowed in identity policies, each with the reason AWS requires it. Empty: the function has no
 * X-Ray tracing (the usual reason, xray:PutTraceSegments/PutTelemetryRecords) — see docs/posture.md.
 */
const IDENTITY_RESOURCE_STAR_ALLOWED: Record<string, string> = {};

/**
 * The one Allow with a service wildcard in any policy: the default KMS key policy statement that gives the account
 * (root principal, i.e. IAM policies of the account) administration of the key. AWS requires a key policy to keep
 * the key manageable; without it the key can become unmanageable. In a key policy `Resource: "*"` means "this key".
 */
function isKeyAdministrationStatement(statement: Statement): boolean {
  return (
    statement.Action === 'kms:*' &&
    JSON.stringify(statement.Principal) === JSON.stringify({ AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } })
  );
}

/** Acknowledged cdk-nag findings expected in the template: logical-id prefix → rule ids. */
const EXPECTED_ACKNOWLEDGEMENTS: Record<string, string[]> = {
  FailuresEventDelivery: ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy'],
  FailuresInvocationFailures: ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy'],
  FailuresEmailDelivery: ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy'],
  AlertArchiveAccessLogs: ['AwsSolutions-S1'],
  DetectorRole: [
    'AwsSolutions-IAM5[Resource::<AlertArchiveBucket31198EBB.Arn>/alerts/*]',
    'AwsSolutions-IAM5[Resource::<AlertArchiveBucket31198EBB.Arn>/suppression/*]',
  ],
  DetectorFunction: ['Serverless-LambdaDLQ', 'Serverless-LambdaTracing'],
};

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function identityStatements(resources: Resources): Statement[] {
  return Object.values(resources).flatMap((resource) => {
    if (resource.Type === 'AWS::IAM::Role') return (resource.Properties?.Policies ?? []).flatMap((policy: any) => policy.PolicyDocument.Statement);
    if (['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(resource.Type)) return resource.Properties!.PolicyDocument.Statement;
    return [];
  });
}

function resourcePolicyStatements(resources: Resources): Statement[] {
  const documents: Record<string, string> = {
    'AWS::KMS::Key': 'KeyPolicy',
    'AWS::SQS::QueuePolicy': 'PolicyDocument',
    'AWS::SNS::TopicPolicy': 'PolicyDocument',
    'AWS::S3::BucketPolicy': 'PolicyDocument',
  };
  return Object.values(resources).flatMap((resource) => (documents[resource.Type] ? resource.Properties![documents[resource.Type]].Statement : []));
}

function ofType(resources: Resources, type: string): Array<[string, Resources[string]]> {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

/** True if `policyType` resources hold an HTTPS-only deny for the resource with logical id `logicalId`. */
function hasHttpsOnlyDeny(resources: Resources, policyType: string, listProperty: string, logicalId: string): boolean {
  return ofType(resources, policyType).some(
    ([, policy]) =>
      JSON.stringify(policy.Properties![listProperty]).includes(`"${logicalId}"`) &&
      policy.Properties!.PolicyDocument.Statement.some(
        (statement: Statement) => statement.Effect === 'Deny' && statement.Condition?.Bool?.['aws:SecureTransport'] === 'false' && JSON.stringify(statement.Principal).includes('*'),
      ),
  );
}

/** Synthesizes without bundling the Lambda (fast), with the cdk-nag checks, for context variants. */
function synthesizeVariant(context: Record<string, unknown>): Template {
  const app = new App({ context: projectContext({ 'aws:cdk:bundling-stacks': [], alertEmails: 'a@example.com', ...context }) });
  addPostureChecks(app);
  const stack = new DetectorStack(app, 'Detector');
  app.synth();
  return Template.fromStack(stack);
}

describe('posture of the synthesized template', () => {
  let template: Template;
  let resources: Resources;

  beforeAll(() => {
    // Throws if any cdk-nag (AwsSolutions, Serverless) finding is not acknowledged.
    template = synthesizeDetector({ alertEmails: 'a@example.com,b@example.com' }).template;
    resources = template.toJSON().Resources;
  });

  it('has no Allow with Action "*" or a service wildcard, in identity or resource policies', () => {
    const statements = [...identityStatements(resources), ...resourcePolicyStatements(resources)].filter((statement) => statement.Effect === 'Allow');
    const wildcards = statements.filter((statement) => !isKeyAdministrationStatement(statement) && asArray<string>(statement.Action).some((action) => action === '*' || action.endsWith(':*')));
    expect(wildcards).toEqual([]);
    expect(identityStatements(resources).filter((statement) => asArray<string>(statement.Action).some((action) => action.includes('*')))).toEqual([]);
  });

  it('has no Resource "*" in identity policies except the listed ones', () => {
    const offenders = identityStatements(resources).filter((statement) => asArray(statement.Resource).includes('*'));
    for (const statement of offenders) {
      for (const action of asArray<string>(statement.Action)) expect(IDENTITY_RESOURCE_STAR_ALLOWED).toHaveProperty([action]);
    }
    expect(offenders).toEqual([]);
  });

  it('uses only inline, statement-by-statement policies on the one role', () => {
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  it('rotates every KMS key', () => {
    const keys = ofType(resources, 'AWS::KMS::Key');
    expect(keys.length).toBe(2);
    for (const [, key] of keys) expect(key.Properties!.EnableKeyRotation).toBe(true);
  });

  it('encrypts every queue, topic and bucket', () => {
    for (const [, queue] of ofType(resources, 'AWS::SQS::Queue')) expect(queue.Properties!.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^FailuresKey/), 'Arn'] });
    for (const [, topic] of ofType(resources, 'AWS::SNS::Topic')) expect(topic.Properties!.KmsMasterKeyId).toBeDefined();
    for (const [, bucket] of ofType(resources, 'AWS::S3::Bucket')) {
      expect(bucket.Properties!.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toMatch(/^(aws:kms|AES256)$/);
    }
  });

  it('denies non-HTTPS access to every queue, topic and bucket', () => {
    for (const [id] of ofType(resources, 'AWS::SQS::Queue')) expect([id, hasHttpsOnlyDeny(resources, 'AWS::SQS::QueuePolicy', 'Queues', id)]).toEqual([id, true]);
    for (const [id] of ofType(resources, 'AWS::SNS::Topic')) expect([id, hasHttpsOnlyDeny(resources, 'AWS::SNS::TopicPolicy', 'Topics', id)]).toEqual([id, true]);
    for (const [id] of ofType(resources, 'AWS::S3::Bucket')) expect([id, hasHttpsOnlyDeny(resources, 'AWS::S3::BucketPolicy', 'Bucket', id)]).toEqual([id, true]);
  });

  it('keeps dead letters for 14 days', () => {
    const queues = ofType(resources, 'AWS::SQS::Queue');
    expect(queues.length).toBe(3);
    for (const [, queue] of queues) expect(queue.Properties!.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it('sets a retention on every log group', () => {
    for (const [, group] of ofType(resources, 'AWS::Logs::LogGroup')) expect(group.Properties!.RetentionInDays).toBeGreaterThan(0);
  });

  it('logs access to the alert archive in a separate bucket', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^AlertArchiveAccessLogs') }, LogFilePrefix: 'alert-archive/' },
    });
  });

  it('reserves concurrency for the function (default 10)', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 10 });
  });

  it('gives every EventBridge target a dead-letter queue and a retry policy', () => {
    const targets = ofType(resources, 'AWS::Events::Rule').flatMap(([, rule]) => rule.Properties!.Targets);
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) {
      expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [expect.stringMatching(/^FailuresEventDelivery/), 'Arn'] } });
      expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 });
    }
  });

  it('lets EventBridge (rules of this account and region only) use the dead-letter key, and only EventBridge rules send to that queue', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'EventBridgeTargetDeadLetters',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':rule/*']] } },
            },
          }),
          Match.objectLike({ Sid: 'SnsSubscriptionDeadLetters', Principal: { Service: 'sns.amazonaws.com' }, Condition: Match.objectLike({ ArnEquals: { 'aws:SourceArn': { Ref: Match.stringLikeRegexp('^AlertTopic') } } }) }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: Match.stringLikeRegexp('^FailuresEventDelivery') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^Triggers'), 'Arn'] } } } }),
        ]),
      },
    });
  });

  it('retries failed asynchronous invocations twice for up to 6 hours, then sends them to the on-failure queue', () => {
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: Match.stringLikeRegexp('^DetectorFunction') },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FailuresInvocationFailures'), 'Arn'] } } },
    });
  });

  it('outputs the dead-letter queue URLs the redrive CLI looks up', () => {
    template.hasOutput('DeadLetterQueueUrl', { Value: { Ref: Match.stringLikeRegexp('^FailuresEventDelivery') } });
    template.hasOutput('FailedInvocationQueueUrl', { Value: { Ref: Match.stringLikeRegexp('^FailuresInvocationFailures') } });
    template.hasOutput('EmailDeadLetterQueueUrl', { Value: { Ref: Match.stringLikeRegexp('^FailuresEmailDelivery') } });
  });

  it('gives every e-mail subscription a redrive queue', () => {
    for (const [, subscription] of ofType(resources, 'AWS::SNS::Subscription')) {
      expect(subscription.Properties!.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^FailuresEmailDelivery/), 'Arn'] } });
    }
  });

  it('alarms on function errors, throttles, destination failures, any dead letter and any refused event, notifying the alert topic by default', () => {
    const alarms = ofType(resources, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties!);
    const lambdaMetrics = alarms.filter((alarm) => alarm.Namespace === 'AWS/Lambda');
    expect(lambdaMetrics.map((alarm) => alarm.MetricName).sort()).toEqual(['DestinationDeliveryFailures', 'Errors', 'Throttles']);
    for (const alarm of lambdaMetrics) expect(alarm.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: expect.stringMatching(/^DetectorFunction/) } }]);
    const queueAlarms = alarms.filter((alarm) => alarm.Namespace === 'AWS/SQS');
    expect(queueAlarms.map((alarm) => alarm.Dimensions[0].Value['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['FailuresEmailDelivery', 'FailuresEventDelivery', 'FailuresInvocationFailures']);
    for (const alarm of queueAlarms) expect(alarm).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Statistic: 'Maximum' });
    const refused = alarms.filter((alarm) => alarm.Namespace === 'CloudTrailStreamDetector');
    expect(refused).toEqual([expect.objectContaining({ MetricName: 'RefusedEvents', Dimensions: [{ Name: 'Reason', Value: 'AccountMismatch' }], Statistic: 'Sum' })]);
    expect(alarms.length).toBe(7);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', Threshold: 0, EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
      expect(alarm.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlertTopic/) }]);
      expect(alarm.OKActions).toEqual([{ Ref: expect.stringMatching(/^AlertTopic/) }]);
    }
  });

  it('lets CloudWatch alarms of this account publish to the alert topic and use its key', () => {
    const conditions = {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:*']] } },
    };
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'CloudWatchAlarms', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Condition: conditions })]) },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Condition: conditions })]) },
    });
  });

  it('writes every cdk-nag acknowledgement, with a specific reason, into the template metadata', () => {
    const found: Record<string, string[]> = {};
    for (const [logicalId, resource] of Object.entries(resources)) {
      const rules: Array<{ id: string; reason: string }> = resource.Metadata?.cdk_nag?.rules_to_suppress ?? [];
      for (const rule of rules) {
        expect(rule.reason.length).toBeGreaterThanOrEqual(100);
        expect(rule.reason).not.toMatch(/^(n\/a|todo|ok|suppressed|not needed)\b/i);
      }
      if (rules.length > 0) found[logicalId.replace(/[0-9A-F]{8}$/, '')] = rules.map((rule) => rule.id);
    }
    expect(found).toEqual(EXPECTED_ACKNOWLEDGEMENTS);
  });
});

describe('posture context', () => {
  it('sends alarms to the opsTopicArn topic when given, without opening the alert topic to CloudWatch', () => {
    const opsTopicArn = 'arn:aws:sns:eu-west-1:123456789012:operations';
    const template = synthesizeVariant({ opsTopicArn });
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([opsTopicArn]);
      expect(alarm.Properties.OKActions).toEqual([opsTopicArn]);
    }
    expect(JSON.stringify(template.toJSON())).not.toContain('cloudwatch.amazonaws.com');
    template.hasOutput('OpsTopicArn', { Value: opsTopicArn });
  });

  it('rejects an opsTopicArn that is not an SNS topic ARN', () => {
    expect(() => new DetectorStack(new App({ context: { alertEmails: 'a@example.com', opsTopicArn: 'operations' } }), 'Detector')).toThrow(/opsTopicArn: must be an SNS topic ARN/);
  });

  it('takes reservedConcurrency from the context, "none" for no reservation', () => {
    synthesizeVariant({ reservedConcurrency: '25' }).hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 25 });
    const unreserved = synthesizeVariant({ reservedConcurrency: 'none' });
    expect(Object.values(unreserved.findResources('AWS::Lambda::Function'))[0].Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(() => new DetectorStack(new App({ context: { alertEmails: 'a@example.com', reservedConcurrency: '0' } }), 'Detector')).toThrow(/reservedConcurrency: must be a positive integer/);
  });
});

describe('cdk-nag wiring', () => {
  /** A throwaway stack with a deliberate violation: an unencrypted queue without an SSL-only policy. */
  function synthesizeViolation(acknowledgements: Array<{ id: string; reason: string }>): void {
    const app = new App();
    addPostureChecks(app);
    const stack = new Stack(app, 'Violation');
    const queue = new sqs.Queue(stack, 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    for (const { id, reason } of acknowledgements) acknowledge(queue, id, reason);
    app.synth();
  }

  const reason = 'Deliberate violation in a throwaway test stack, acknowledged to prove acknowledgements work.';
  const allFindings = ['AwsSolutions-SQS2', 'AwsSolutions-SQS3', 'AwsSolutions-SQS4', 'Serverless-SQSRedrivePolicy'];

  it('fails the synth on an unacknowledged finding', () => {
    // The error is the validation report (or, depending on the CDK version, a pointer to validation-report.json).
    expect(() => synthesizeViolation([])).toThrow(/AwsSolutions-SQS2|Validation failed/);
    // Every finding but one acknowledged: still fails.
    expect(() => synthesizeViolation(allFindings.slice(1).map((id) => ({ id, reason })))).toThrow(/AwsSolutions-SQS2|Validation failed/);
  });

  it('passes once every finding is acknowledged', () => {
    expect(() => synthesizeViolation(allFindings.map((id) => ({ id, reason })))).not.toThrow();
  });

  it('also accepts the plugin-prefixed id form the report suggests (AwsSolutions::AwsSolutions-SQS2)', () => {
    const prefixed = allFindings.map((id) => ({ id: `${id.split('-')[0]}::${id}`, reason }));
    expect(() => synthesizeViolation(prefixed)).not.toThrow();
  });

  it('refuses an acknowledgement without a specific reason', () => {
    expect(() => acknowledge(new Stack(new App(), 'S'), 'AwsSolutions-S1', 'not needed')).toThrow(/specific reason/);
  });
});

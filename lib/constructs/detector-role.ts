import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../posture';

export interface DetectorRoleProps {
  readonly logGroup: logs.ILogGroup;
  readonly topic: sns.ITopic;
  readonly bucket: s3.IBucket;
  readonly archivePrefix: string;
  /** Key prefix of the alert suppression windows (read and conditionally written); none: no access. */
  readonly suppressionPrefix?: string;
  readonly key: kms.IKey;
  /** The function's asynchronous on-failure destination (Lambda sends to it with this role). */
  readonly failureQueue: sqs.IQueue;
  /** The key `failureQueue` is encrypted with. */
  readonly failureKey: kms.IKey;
  /** The state table of new_terms and threshold rules and its key; absent when no rule keeps state. */
  readonly stateTable?: { readonly tableArn: string; readonly key: kms.IKey };
}

/**
 * The function's execution role, written out statement by statement instead of `grant*` helpers (grantPublish
 * on a KMS topic adds kms:Encrypt/ReEncrypt*; grantPut adds s3:PutObjectLegalHold/Retention/Tagging/VersionTagging
 * and Abort*), and without AWSLambdaBasicExecutionRole (which allows writing to every log group).
 */
export class DetectorRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: DetectorRoleProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      description: 'CloudTrail detector function: write own logs, publish and archive alerts',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: {
        DetectorPermissions: new iam.PolicyDocument({ statements: detectorStatements(props) }),
      },
    });
    // The one wildcard cdk-nag finds: object keys under the archive prefix. The finding id embeds the bucket's
    // logical id, so it is derived rather than spelled out.
    const bucketLogicalId = Stack.of(this).resolve((props.bucket.node.defaultChild as s3.CfnBucket).logicalId);
    acknowledge(
      this.role.node.defaultChild as iam.CfnRole,
      `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/${props.archivePrefix}*]`,
      `Object-level wildcard limited to the ${props.archivePrefix} prefix of the alert archive: each alert is a new ` +
        'object whose key (rule id, event id) is only known at run time. Only s3:PutObject and s3:GetObject (read ' +
        'back the exactly-once claim object) are allowed there; no list, delete, ACL or bucket-level action.',
    );
    if (props.suppressionPrefix !== undefined) {
      acknowledge(
        this.role.node.defaultChild as iam.CfnRole,
        `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/${props.suppressionPrefix}*]`,
        `Object-level wildcard limited to the ${props.suppressionPrefix} prefix of the alert archive: one small state ` +
          'object per (rule, group_by values) of a rule with alert suppression, whose key is a hash only known at run ' +
          'time. Only s3:GetObject and s3:PutObject (conditional writes of the window) are allowed there.',
      );
    }
  }
}

function detectorStatements(props: DetectorRoleProps): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'WriteOwnLogs',
      // The log group is created by the stack, so logs:CreateLogGroup is not needed.
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [props.logGroup.logGroupArn],
    }),
    new iam.PolicyStatement({
      sid: 'PublishAlerts',
      actions: ['sns:Publish'],
      resources: [props.topic.topicArn],
    }),
    new iam.PolicyStatement({
      sid: 'ArchiveAlerts',
      actions: ['s3:PutObject'],
      resources: [props.bucket.arnForObjects(`${props.archivePrefix}*`)],
    }),
    new iam.PolicyStatement({
      sid: 'ReadArchivedAlerts',
      // Exactly-once delivery reads back the claim object it wrote under the prefix.
      actions: ['s3:GetObject'],
      resources: [props.bucket.arnForObjects(`${props.archivePrefix}*`)],
    }),
    ...(props.suppressionPrefix === undefined
      ? []
      : [
          new iam.PolicyStatement({
            sid: 'TrackSuppressionWindows',
            // Alert suppression: read the window for a rule and group_by values, and write it back conditionally.
            actions: ['s3:GetObject', 's3:PutObject'],
            resources: [props.bucket.arnForObjects(`${props.suppressionPrefix}*`)],
          }),
        ]),
    new iam.PolicyStatement({
      sid: 'EncryptAlerts',
      // SNS (publishing to an encrypted topic) and S3 (SSE-KMS PutObject) ask for a data key on the caller's
      // behalf and need to decrypt it; only those two services may use the key through this role.
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [props.key.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': [`sns.${Aws.REGION}.amazonaws.com`, `s3.${Aws.REGION}.amazonaws.com`] },
      },
    }),
    ...(props.stateTable === undefined
      ? []
      : [
          new iam.PolicyStatement({
            sid: 'KeepRuleState',
            // new_terms and threshold state (docs/stateful-rules.md): a strongly consistent read and a conditional
            // update per term or group; no scan, query, delete or batch action, no other table.
            actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
            resources: [props.stateTable.tableArn],
          }),
          new iam.PolicyStatement({
            sid: 'EncryptRuleState',
            // DynamoDB decrypts the table key (reads) and encrypts with it (writes) on the caller's behalf; the key is
            // usable by this role only through DynamoDB.
            actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
            resources: [props.stateTable.key.keyArn],
            conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Aws.REGION}.amazonaws.com` } },
          }),
        ]),
    new iam.PolicyStatement({
      sid: 'SendFailedInvocations',
      // Lambda delivers to the on-failure destination with the execution role.
      actions: ['sqs:SendMessage'],
      resources: [props.failureQueue.queueArn],
    }),
    new iam.PolicyStatement({
      sid: 'EncryptFailedInvocations',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [props.failureKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `sqs.${Aws.REGION}.amazonaws.com` } },
    }),
  ];
}

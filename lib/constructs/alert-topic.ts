import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface AlertTopicProps {
  readonly key: kms.IKey;
  /** Each address gets an `email` subscription (SNS asks the recipient to confirm). */
  readonly emails: readonly string[];
  /** Redrive queue for alerts SNS cannot deliver to an address (encrypted; its key must allow sns.amazonaws.com). */
  readonly emailDeadLetterQueue: sqs.IQueue;
}

/** Topic actions the secure topic policy covers, as in AWS Solutions Constructs' `applySecureTopicPolicy`. */
const TOPIC_ACTIONS = [
  'SNS:Publish',
  'SNS:RemovePermission',
  'SNS:SetTopicAttributes',
  'SNS:DeleteTopic',
  'SNS:ListSubscriptionsByTopic',
  'SNS:GetTopicAttributes',
  'SNS:Receive',
  'SNS:AddPermission',
  'SNS:Subscribe',
];

/** The SNS topic alerts are published to: KMS-encrypted, usable only by this account and only over HTTPS. */
export class AlertTopic extends Construct {
  readonly topic: sns.Topic;
  private readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    this.key = props.key;
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'CloudTrail detector alerts',
      masterKey: props.key,
    });
    const account = Stack.of(this).account;
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'TopicOwnerOnlyAccess',
        effect: iam.Effect.ALLOW,
        principals: [new iam.AccountPrincipal(account)],
        actions: TOPIC_ACTIONS,
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'AWS:SourceOwner': account } },
      }),
    );
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'HttpsOnly',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: TOPIC_ACTIONS,
        resources: [this.topic.topicArn],
        conditions: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    for (const email of props.emails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email, { deadLetterQueue: props.emailDeadLetterQueue }));
    }
  }

  /**
   * Lets CloudWatch alarms of this account and region publish to the topic (used when the alert topic doubles as
   * the operations topic): `sns:Publish` in the topic policy and use of the topic's key, both scoped with
   * `aws:SourceAccount` and `aws:SourceArn` against the confused-deputy problem.
   */
  allowCloudWatchAlarms(): void {
    const conditions = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
    };
    const cloudwatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({ sid: 'CloudWatchAlarms', principals: [cloudwatch], actions: ['sns:Publish'], resources: [this.topic.topicArn], conditions }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({ sid: 'CloudWatchAlarmsPublishToAlertTopic', principals: [cloudwatch], actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: ['*'], conditions }),
    );
  }
}

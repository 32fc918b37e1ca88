import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlertTopicProps {
  readonly key: kms.IKey;
  /** Each address gets an `email` subscription (SNS asks the recipient to confirm). */
  readonly emails: readonly string[];
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

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
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
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
  }
}

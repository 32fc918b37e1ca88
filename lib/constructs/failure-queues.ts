import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letter-queue';
import { eventBridgeDeadLetterKeyStatement } from './event-bridge-dead-letter-key';

/**
 * The dead-letter queues that catch whatever the normal path could not deliver, so that no alert is silently lost:
 * - `eventDelivery`: EventBridge target DLQ — events EventBridge could not hand to the function (missing permission,
 *   deleted function, retry policy exhausted).
 * - `invocationFailures`: the function's asynchronous on-failure destination — events the function failed on after
 *   Lambda's retries, or that aged out while throttled (the record says which, with the error).
 * - `emailDelivery`: redrive queue of the e-mail subscriptions — alerts SNS could not deliver to an address.
 * All three are encrypted with one customer-managed key (rotated) whose policy lets exactly the services that write
 * to them use it, scoped to this account (and, where the service sends it, the source ARN); SSL-only; kept 14 days.
 */
export class FailureQueues extends Construct {
  readonly key: kms.Key;
  readonly eventDelivery: sqs.Queue;
  readonly invocationFailures: sqs.Queue;
  readonly emailDelivery: sqs.Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the CloudTrail detector dead-letter queues (undelivered events and alerts)',
      enableKeyRotation: true,
    });
    // EventBridge encrypts the messages it sends to the target DLQ with this key.
    this.key.addToResourcePolicy(eventBridgeDeadLetterKeyStatement());
    this.eventDelivery = this.queue('EventDelivery', 'EventBridge target dead-letter queue of every detector rule');
    this.invocationFailures = this.queue('InvocationFailures', 'asynchronous on-failure destination of the detector function');
    this.emailDelivery = this.queue('EmailDelivery', 'redrive (dead-letter) queue of the alert e-mail subscriptions');
  }

  /** Every queue with a short name, for alarms. */
  get queues(): ReadonlyArray<{ readonly name: string; readonly queue: sqs.Queue }> {
    return [
      { name: 'EventDelivery', queue: this.eventDelivery },
      { name: 'InvocationFailures', queue: this.invocationFailures },
      { name: 'EmailDelivery', queue: this.emailDelivery },
    ];
  }

  /** Lets SNS encrypt undeliverable e-mail alerts of `topic` into `emailDelivery`. */
  allowTopicRedrive(topic: sns.ITopic): void {
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'SnsSubscriptionDeadLetters',
        principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnEquals: { 'aws:SourceArn': topic.topicArn },
        },
      }),
    );
  }

  private queue(id: string, holds: string): sqs.Queue {
    return deadLetterQueue(this, id, { key: this.key, holds, watchedBy: 'a CloudWatch alarm (ApproximateNumberOfMessagesVisible > 0)' });
  }
}

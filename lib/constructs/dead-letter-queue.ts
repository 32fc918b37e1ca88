import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledge } from '../posture';

/** Long enough for an operator back from a long weekend to redrive (docs/redrive.md). */
export const FAILURE_RETENTION = Duration.days(14);

export interface DeadLetterQueueProps {
  readonly key: kms.IKey;
  /** What fails into it, for the acknowledgements an auditor reads, e.g. "EventBridge target DLQ of every detector rule". */
  readonly holds: string;
  /** Who notices a message in it, e.g. "a CloudWatch alarm (ApproximateNumberOfMessagesVisible > 0)". */
  readonly watchedBy: string;
}

/**
 * An encrypted, SSL-only queue that is the end of a failure path. cdk-nag recognizes a queue as a DLQ only through
 * an SQS redrive policy or a Lambda deadLetterConfig, so the two findings it raises on every such queue are
 * acknowledged here, once, with the reason.
 */
export function deadLetterQueue(scope: Construct, id: string, props: DeadLetterQueueProps): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: props.key,
    enforceSSL: true,
    retentionPeriod: FAILURE_RETENTION,
  });
  const cfnQueue = queue.node.defaultChild as sqs.CfnQueue;
  acknowledge(
    cfnQueue,
    'AwsSolutions-SQS3',
    `This queue is itself a dead-letter queue (${props.holds}). cdk-nag SQS3 recognizes a queue as a DLQ only ` +
      'through an SQS redrive policy or a Lambda deadLetterConfig, not through EventBridge target DLQs, Lambda ' +
      `on-failure destinations or SNS subscription redrive policies. Messages here are noticed by ${props.watchedBy}.`,
  );
  acknowledge(
    cfnQueue,
    'Serverless-SQSRedrivePolicy',
    `This queue is itself a dead-letter queue (${props.holds}); nothing consumes it automatically, so there are no ` +
      'failed receives to redrive, and a DLQ of a DLQ would only move the problem. Messages wait 14 days for an ' +
      `operator and are noticed by ${props.watchedBy}.`,
  );
  return queue;
}

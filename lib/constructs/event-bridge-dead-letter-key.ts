import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Lets EventBridge encrypt what it dead-letters into a queue under a customer-managed key. Scoped to rules of this
 * account and region ("rule/*" rather than the rule ARNs: listing them would make the key depend on the rules, which
 * depend on the queue, which depends on the key, a cycle); each queue policy narrows senders to its rules' ARNs.
 */
export function eventBridgeDeadLetterKeyStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'EventBridgeTargetDeadLetters',
    principals: [new iam.ServicePrincipal('events.amazonaws.com')],
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resources: ['*'],
    conditions: {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/*` },
    },
  });
}

import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { STATE_TABLE_KEY, STATE_TTL_ATTRIBUTE } from '../../src/dynamodb/state-table-layout';

/**
 * The state of the new_terms and threshold rules (docs/stateful-rules.md): one DynamoDB item per term, group and
 * rule coverage, read strongly consistent and written with conditions by the detector function, expired by TTL.
 * - on-demand: traffic follows CloudTrail, with bursts; nothing to size or to pay when idle;
 * - encrypted with its own customer-managed key (rotation on): who may read the history is one key policy, as for
 *   the alerts; the function may use it only through DynamoDB;
 * - point-in-time recovery: a table overwritten by a mistake (a wrong baseline) can be restored to any second of
 *   the last 35 days;
 * - retained when the stack is deleted, like the alert archive: the history is evidence too.
 */
export class StateTable extends Construct {
  readonly table: dynamodb.Table;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the CloudTrail detector state table (new_terms sightings, threshold windows)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: STATE_TABLE_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: STATE_TTL_ATTRIBUTE,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}

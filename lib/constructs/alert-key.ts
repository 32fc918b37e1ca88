import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * The customer-managed key for alerts at rest (SNS topic and S3 archive). A CMK rather than `alias/aws/sns`
 * because the AWS-managed key's policy cannot be edited, and because reading archived alerts then also needs
 * `kms:Decrypt` on this key: access to the archive is granted in one auditable place.
 */
export class AlertKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts CloudTrail detector alerts (SNS topic and S3 archive)',
      enableKeyRotation: true,
      // Alerts archived under this key stay readable only while it exists.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}

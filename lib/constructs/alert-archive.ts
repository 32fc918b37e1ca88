import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../posture';

export interface AlertArchiveProps {
  readonly key: kms.IKey;
}

/** Key prefix the function writes alerts under (and the only place its role may write to). */
export const ALERT_ARCHIVE_PREFIX = 'alerts/';
/** Where the detector keeps alert suppression windows (`suppression/<rule>/<key>.json`, docs/exceptions.md). */
export const ALERT_SUPPRESSION_PREFIX = 'suppression/';

/** What both buckets share: private, owner-enforced, SSL-only, versioned, and kept when the stack goes (audit). */
const PRIVATE_DURABLE_BUCKET = {
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  enforceSSL: true,
  versioned: true,
  removalPolicy: RemovalPolicy.RETAIN,
} satisfies s3.BucketProps;

/**
 * The S3 bucket every alert is archived in, for audit. SSE-KMS with the alert key (S3 Bucket Keys keep KMS
 * requests, and cost, low): reading alerts needs both S3 and key permissions, and every decrypt is in CloudTrail.
 * Kept on stack deletion; versioned so an overwritten or deleted alert can be recovered for 90 days.
 */
export class AlertArchive extends Construct {
  readonly bucket: s3.Bucket;
  /** Receives the archive's S3 server access logs (who read or wrote which alert, from where). */
  readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AlertArchiveProps) {
    super(scope, id);
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      ...PRIVATE_DURABLE_BUCKET,
      // S3 server access logging delivers only to buckets with SSE-S3 (not SSE-KMS) default encryption.
      encryption: s3.BucketEncryption.S3_MANAGED,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: Duration.days(400),
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
    acknowledge(
      this.accessLogsBucket.node.defaultChild as s3.CfnBucket,
      'AwsSolutions-S1',
      'This bucket is the access-log target of the alert archive; logging it too would need a further log bucket, ' +
        'and so on. S3 writes to it through the logging service principal only (bucket policy), it is SSL-only, ' +
        'versioned and private, and it holds no alert content.',
    );
    this.bucket = new s3.Bucket(this, 'Bucket', {
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'alert-archive/',
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      ...PRIVATE_DURABLE_BUCKET,
      lifecycleRules: [
        {
          id: 'age-out-alerts',
          // S3 by default skips transitions for objects under 128 KB; single alerts are smaller, so these
          // transitions matter for larger objects (e.g. batched exports) and cost nothing otherwise.
          transitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(90) },
            { storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(365) },
          ],
          noncurrentVersionExpiration: Duration.days(90),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
  }
}

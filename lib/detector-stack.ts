import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { join, resolve } from 'node:path';
import { parseAlertEmails } from './alert-emails';
import { ALERT_ARCHIVE_PREFIX, AlertArchive } from './constructs/alert-archive';
import { AlertKey } from './constructs/alert-key';
import { AlertTopic } from './constructs/alert-topic';
import { CloudTrailRuleTrigger } from './constructs/cloudtrail-rule-trigger';
import { DetectorFunction } from './constructs/detector-function';
import { writeRulePackFile } from './rule-pack-file';

const DEFAULT_RULES_DIRECTORY = join(__dirname, '..', 'rules');

/**
 * CloudTrail (default bus) → one EventBridge rule per detection rule → detector Lambda → SNS topic + S3 archive.
 * Context: `alertEmails` (comma-separated e-mail subscriptions), `rulesDir` (default: `rules/` in the repository).
 * Environment-agnostic: no account/region and no lookups, so it synthesizes offline.
 */
export class DetectorStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, { analyticsReporting: false, ...props });
    const emails = parseAlertEmails(this.node.tryGetContext('alertEmails'));
    const rulesDirectory = resolve(this.node.tryGetContext('rulesDir') ?? DEFAULT_RULES_DIRECTORY);
    const rulePack = writeRulePackFile(this, rulesDirectory);

    const { key } = new AlertKey(this, 'AlertKey');
    const { topic } = new AlertTopic(this, 'AlertTopic', { key, emails });
    const { bucket } = new AlertArchive(this, 'AlertArchive', { key });
    const detector = new DetectorFunction(this, 'Detector', {
      topic,
      bucket,
      archivePrefix: ALERT_ARCHIVE_PREFIX,
      key,
      rulePackPath: rulePack.path,
    });
    new CloudTrailRuleTrigger(this, 'Triggers', { rules: rulePack.rules, target: detector.function });

    new CfnOutput(this, 'AlertTopicArn', { value: topic.topicArn, description: 'SNS topic alerts are published to' });
    new CfnOutput(this, 'AlertArchiveBucketName', { value: bucket.bucketName, description: 'S3 bucket alerts are archived in' });
    new CfnOutput(this, 'DetectorFunctionName', { value: detector.function.functionName, description: 'Detector Lambda function' });
  }
}

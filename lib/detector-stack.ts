import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CloudTrailDetector } from './cloudtrail-detector';
import type { CloudTrailDetectorProps } from './cloudtrail-detector-props';
import { detectorPropsFromContext } from './detector-context';

export interface DetectorStackProps extends StackProps {
  /** The detector's settings. Default: read from the CDK context keys (lib/detector-context.ts). */
  readonly detector?: CloudTrailDetectorProps;
}

/**
 * The project's own stack: one `CloudTrailDetector` and the outputs the docs and the `redrive` command look up.
 * Without `props.detector` it is configured by the context keys (`-c alertEmails=...`, docs/configuration.md).
 * Environment-agnostic: no account/region and no lookups, so it synthesizes offline.
 */
export class DetectorStack extends Stack {
  readonly detector: CloudTrailDetector;

  constructor(scope: Construct, id: string, props: DetectorStackProps = {}) {
    super(scope, id, { analyticsReporting: false, ...props });
    const detectorProps = props.detector ?? detectorPropsFromContext(this, (key) => this.node.tryGetContext(key));
    // `Default` is left out of logical ids: the resources keep the ids they had when they were children of the stack.
    this.detector = new CloudTrailDetector(this, 'Default', detectorProps);
    const { detector } = this;

    if (detector.centralEventBus) {
      new CfnOutput(this, 'CentralEventBusArn', { value: detector.centralEventBus.eventBusArn, description: 'Central bus the forwarders put events on (forwarder parameter CentralEventBusArn)' });
    }
    new CfnOutput(this, 'AlertTopicArn', { value: detector.alertTopic.topicArn, description: 'SNS topic alerts are published to' });
    new CfnOutput(this, 'AlertArchiveBucketName', { value: detector.archiveBucket.bucketName, description: 'S3 bucket alerts are archived in' });
    // Names docs/redrive.md (the `redrive` CLI) looks up.
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: detector.failureQueues.eventDelivery.queueUrl, description: 'EventBridge target DLQ: events not delivered to the function' });
    new CfnOutput(this, 'FailedInvocationQueueUrl', { value: detector.failureQueues.invocationFailures.queueUrl, description: 'Lambda on-failure destination: events the function failed on' });
    new CfnOutput(this, 'EmailDeadLetterQueueUrl', { value: detector.failureQueues.emailDelivery.queueUrl, description: 'Alerts SNS could not deliver to an e-mail address' });
    new CfnOutput(this, 'OpsTopicArn', { value: detector.opsTopic.topicArn, description: 'SNS topic operational alarms notify' });
    if (detector.stateTable) {
      new CfnOutput(this, 'StateTableName', { value: detector.stateTable.tableName, description: 'DynamoDB state of the new_terms and threshold rules (baseline --table)' });
    }
    new CfnOutput(this, 'DetectorFunctionName', { value: detector.detectorFunction.functionName, description: 'Detector Lambda function' });
  }

  /** The rule exceptions packaged with the function (the audit report lists them). */
  get exceptions() {
    return this.detector.exceptions;
  }
}

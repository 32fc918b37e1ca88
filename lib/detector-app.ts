import type { App } from 'aws-cdk-lib';
import { DetectorStack } from './detector-stack';
import { ForwarderStack } from './forwarder-stack';
import { parseOrganizationId } from './organization';
import { addPostureChecks } from './posture';

export const DETECTOR_STACK_ID = 'CloudTrailStreamDetector';
export const FORWARDER_STACK_ID = 'CloudTrailDetectorForwarder';

export interface DetectorApp {
  readonly detector: DetectorStack;
  /** The member-account template, only in organization (central) mode. */
  readonly forwarder?: ForwarderStack;
}

/**
 * Everything `cdk synth` builds, in one place so that bin/app.ts, the audit report and the tests synthesize the
 * very same stacks with the very same posture checks.
 */
export function addDetectorStacks(app: App, detectorStackId = DETECTOR_STACK_ID): DetectorApp {
  // cdk-nag (AwsSolutions + Serverless): the synth fails on any unacknowledged finding (docs/posture.md).
  addPostureChecks(app);
  const detector = new DetectorStack(app, detectorStackId, {
    description: 'Detects AWS API calls (first rule: RDS StartExportTask) with Elastic KQL rules and alerts via SNS',
  });
  // Organization (central) mode, docs/organization.md: also the member-account template, deployed with StackSets.
  const forwarder = parseOrganizationId(app.node.tryGetContext('organizationId'))
    ? new ForwarderStack(app, FORWARDER_STACK_ID, {
        description: 'Forwards the CloudTrail events the detector watches from this account and region to the central detector bus',
      })
    : undefined;
  return { detector, forwarder };
}

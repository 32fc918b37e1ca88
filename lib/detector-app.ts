import type { App } from 'aws-cdk-lib';
import { Annotations } from 'aws-cdk-lib';
import { describeUnsupportedRules } from '../src/engine/rules';
import { EXPIRED_EXCEPTIONS_WARNING_ID, UNSUPPORTED_RULES_WARNING_ID } from './cloudtrail-detector';
import { parseTags, rulesFromContext } from './detector-context';
import { DetectorStack } from './detector-stack';
import { formatExceptionRow } from './exception-pack-file';
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
 * very same stacks with the very same posture checks. Configured by the context keys (lib/detector-context.ts).
 */
export function addDetectorStacks(app: App, detectorStackId = DETECTOR_STACK_ID): DetectorApp {
  // cdk-nag (AwsSolutions + Serverless): the synth fails on any unacknowledged finding (docs/posture.md).
  addPostureChecks(app);
  const context = (key: string): unknown => app.node.tryGetContext(key);
  const detector = new DetectorStack(app, detectorStackId, {
    description: 'Detects AWS API calls (first rule: RDS StartExportTask) with Elastic KQL rules and alerts via SNS',
  });
  // Organization (central) mode, docs/organization.md: also the member-account template, deployed with StackSets.
  const forwarder = parseOrganizationId(context('organizationId'))
    ? new ForwarderStack(app, FORWARDER_STACK_ID, {
        description: 'Forwards the CloudTrail events the detector watches from this account and region to the central detector bus',
        rules: rulesFromContext(context),
        resourceTags: parseTags(context('tags')),
      })
    : undefined;
  return { detector, forwarder };
}

/**
 * What the synth has to tell the person running it, said once: rules left out (one summary line and a list) and
 * exceptions that expired. The detector's warnings that say the same are acknowledged, so nothing is said twice.
 */
export function synthNotes(app: DetectorApp): string[] {
  const detector = app.detector.detector;
  const notes: string[] = [];
  const skipped = describeUnsupportedRules(detector.unsupportedRules, detector.rules.length);
  if (skipped.length > 0) {
    notes.push(`rules: ${skipped[0]}:`, ...skipped.slice(1));
    Annotations.of(detector).acknowledgeWarning(UNSUPPORTED_RULES_WARNING_ID, 'listed by bin/app.ts');
  }
  const expired = detector.exceptions.rows.filter((row) => row.expired);
  if (expired.length > 0) {
    notes.push(`exceptions: ${expired.length} expired, no longer applied; remove or renew them:`, ...expired.map((row) => `  - ${formatExceptionRow(row)}`));
    Annotations.of(detector).acknowledgeWarning(EXPIRED_EXCEPTIONS_WARNING_ID, 'listed by bin/app.ts');
  }
  return notes;
}

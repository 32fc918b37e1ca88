import { App } from 'aws-cdk-lib';
import { DetectorStack } from '../lib/detector-stack';
import { ForwarderStack } from '../lib/forwarder-stack';
import { parseOrganizationId } from '../lib/organization';
import { addPostureChecks } from '../lib/posture';

// No `env`: the stacks are environment-agnostic, so `cdk synth` needs no credentials and does no lookups.
const app = new App({ analyticsReporting: false });
// cdk-nag (AwsSolutions + Serverless): the synth fails on any unacknowledged finding (docs/posture.md).
addPostureChecks(app);
new DetectorStack(app, 'CloudTrailStreamDetector', {
  description: 'Detects AWS API calls (first rule: RDS StartExportTask) with Elastic KQL rules and alerts via SNS',
});
// Organization (central) mode, docs/organization.md: also the member-account template, deployed with StackSets.
if (parseOrganizationId(app.node.tryGetContext('organizationId'))) {
  new ForwarderStack(app, 'CloudTrailDetectorForwarder', {
    description: 'Forwards the CloudTrail events the detector watches from this account and region to the central detector bus',
  });
}
app.synth();

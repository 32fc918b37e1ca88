import { App } from 'aws-cdk-lib';
import { DetectorStack } from '../lib/detector-stack';

// No `env`: the stack is environment-agnostic, so `cdk synth` needs no credentials and does no lookups.
const app = new App({ analyticsReporting: false });
new DetectorStack(app, 'CloudTrailStreamDetector', {
  description: 'Detects AWS API calls (first rule: RDS StartExportTask) with Elastic KQL rules and alerts via SNS',
});
app.synth();

import { App } from 'aws-cdk-lib';
import { addDetectorStacks } from '../lib/detector-app';

// No `env`: the stacks are environment-agnostic, so `cdk synth` needs no credentials and does no lookups.
const app = new App({ analyticsReporting: false });
addDetectorStacks(app);
app.synth();

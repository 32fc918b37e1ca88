import { App } from 'aws-cdk-lib';
import { addDetectorStacks, synthNotes } from '../lib/detector-app';
import { describeConfigurationError } from '../lib/synth-errors';

// aws-cdk-lib's own deprecation notices (e.g. CfnEventBusPolicy#principal, read by EventBus.addToResourcePolicy
// itself) are for this project's developers, who see them in the tests; a user running `cdk synth` cannot act on
// them. Set JSII_DEPRECATED=warn to see them here too.
process.env.JSII_DEPRECATED ??= 'quiet';

// No `env`: the stacks are environment-agnostic, so `cdk synth` needs no credentials and does no lookups.
try {
  const app = new App({ analyticsReporting: false });
  const stacks = addDetectorStacks(app);
  for (const note of synthNotes(stacks)) process.stderr.write(`${note}\n`);
  app.synth();
} catch (error) {
  const message = describeConfigurationError(error);
  if (message === undefined) throw error;
  // A configuration mistake: one short message and a non-zero exit, no stack trace.
  process.stderr.write(`error: ${message}\n`);
  process.exitCode = 1;
}

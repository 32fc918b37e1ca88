import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';

/**
 * Runs the cdk-nag v3 AwsSolutions and Serverless packs as CDK policy-validation plugins. Any finding that is not
 * acknowledged (`acknowledge()` below) fails `app.synth()` — warnings included: cdk-nag v3 reports a pack as failed
 * when it has any violation. Acknowledgements are copied into each resource's `Metadata.cdk_nag.rules_to_suppress`
 * so that the template itself carries every exception and its reason (docs/posture.md lists them all).
 * Used by bin/app.ts and by the test synth helper, so tests see exactly what `cdk synth` sees.
 */
export function addPostureChecks(app: IConstruct): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }),
    new ServerlessChecks(app, { writeSuppressionsToCloudFormation: true }),
  );
}

/**
 * Acknowledges one cdk-nag finding on `scope` (and its children; pass the L1 resource to keep the template
 * metadata precise). The id is the rule id as cdk-nag reports it (`AwsSolutions-S1`, `Serverless-LambdaDLQ`,
 * `AwsSolutions-IAM5[Resource::...]`; the `AwsSolutions::AwsSolutions-S1` form the report suggests works too).
 * One finding per call — v3 has no prefix/bulk acknowledgement. A reason is mandatory and must say why, specifically
 * (at least 40 characters; the posture test asks for 100 on every acknowledgement in the template).
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < 40) throw new Error(`cdk-nag acknowledgement ${id} needs a specific reason (got ${JSON.stringify(reason)})`);
  Validations.of(scope).acknowledge({ id, reason });
}

import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addDetectorStacks } from '../../lib/detector-app';
import { cdkContext, REPOSITORY_ROOT } from '../../src/report/synthesize';

export interface SynthesizedDetector {
  readonly stack: Stack;
  readonly template: Template;
  /** The directory the function's code asset was bundled into: what `cdk deploy` uploads. */
  readonly bundleDirectory: string;
  /** The cloud assembly folder (removed with the test run's temporary folder). */
  readonly assemblyDirectory: string;
}

/**
 * Synthesizes the detector stack as `cdk synth` would — cdk.json's context (the feature flags) under the given
 * context, cdk-nag checks included, so this throws on any unacknowledged finding; slow (it bundles the Lambda), so
 * share the result.
 */
export function synthesizeDetector(context: Record<string, string>): SynthesizedDetector {
  const app = new App({ context: projectContext(context) });
  const stack = addDetectorStacks(app, 'Detector').detector;
  const assembly = app.synth();
  const template = Template.fromStack(stack);
  const functionCode = Object.values(template.findResources('AWS::Lambda::Function'))[0].Properties.Code;
  const assets = JSON.parse(readFileSync(join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8'));
  const [, asset] = Object.entries<{ source: { path: string }; destinations: Record<string, { objectKey: string }> }>(assets.files).find(
    ([, file]) => Object.values(file.destinations).some((destination) => destination.objectKey === functionCode.S3Key),
  )!;
  return { stack, template, bundleDirectory: join(assembly.directory, asset.source.path), assemblyDirectory: assembly.directory };
}

/** cdk.json's context (feature flags and settings) with `context` on top, as `cdk synth -c ...` gives it. */
export function projectContext(context: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return cdkContext(REPOSITORY_ROOT, context);
}

/** The bundle's handler, loaded as Lambda loads it (its cold-start log lines kept off the test output). */
export function loadBundledHandler<H>(synthesized: SynthesizedDetector): H {
  const quiet = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(join(synthesized.bundleDirectory, 'index.js')) as { handler: H }).handler;
  } finally {
    quiet.mockRestore();
  }
}

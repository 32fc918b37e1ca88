import { App, type CfnResource as CdkCfnResource, Stack } from 'aws-cdk-lib';
import * as nag from 'cdk-nag';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { addDetectorStacks, DETECTOR_STACK_ID } from '../../lib/detector-app';
import { packageRoot } from '../../lib/package-paths';
import { describeExceptions } from '../engine/exceptions';
import type { ReportInput } from './report-input';
import type { CfnTemplate } from './template';
import { toolVersions } from './versions';

/** The project's root folder, from the TypeScript sources and from the compiled code in dist/ alike. */
export const REPOSITORY_ROOT = packageRoot();
export const STACK_ID = DETECTOR_STACK_ID;

/**
 * The context `cdk synth` would give the app: `cdk.context.json`, then `cdk.json`'s `context`, both from `directory`
 * (the project root, where `npm run` starts), then the command-line `-c` values. The CLI also turns on path
 * metadata, which the report uses to name constructs.
 */
export function cdkContext(directory: string, commandLine: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const read = (file: string): Record<string, unknown> => (existsSync(join(directory, file)) ? JSON.parse(readFileSync(join(directory, file), 'utf8')) : {});
  return {
    ...read('cdk.context.json'),
    ...((read('cdk.json').context as Record<string, unknown> | undefined) ?? {}),
    'aws:cdk:enable-path-metadata': true,
    ...commandLine,
  };
}

/**
 * Synthesizes the detector stack in-process, offline, exactly as bin/app.ts does (lib/detector-app.ts) (throws on any
 * unacknowledged finding, as `cdk synth` fails), into a temporary directory that is removed afterwards, and gathers
 * everything the report needs.
 */
export function synthesizeForReport(commandLineContext: Readonly<Record<string, unknown>>, projectDirectory = REPOSITORY_ROOT): ReportInput {
  const context = cdkContext(projectDirectory, commandLineContext);
  const outdir = mkdtempSync(join(tmpdir(), 'audit-report-'));
  try {
    const startedAt = new Date();
    const started = process.hrtime.bigint();
    const app = new App({ context, outdir, analyticsReporting: false });
    const stack = addDetectorStacks(app).detector;
    const assembly = app.synth();
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    const template = assembly.getStackArtifact(stack.artifactId).template as CfnTemplate;
    const { detector } = stack;
    return {
      stackName: stack.stackName,
      template,
      constructPaths: constructPaths(template, stack),
      rules: { directory: detector.rulesSource, supported: detector.rules.map((compiled) => compiled.rule), unsupported: detector.unsupportedRules },
      exceptions: {
        rows: describeExceptions(stack.exceptions.resolved, startedAt),
        files: stack.exceptions.files.map((file) => relativeToRepository(file)),
      },
      nag: nagResults(app),
      versions: toolVersions(REPOSITORY_ROOT),
      synth: { startedAt, durationMs, context: commandLineContext },
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function relativeToRepository(file: string): string {
  const path = relative(REPOSITORY_ROOT, file);
  return path.startsWith('..') ? file : path;
}

/** From the template's `aws:cdk:path` metadata; from the construct tree for resources without it. */
function constructPaths(template: CfnTemplate, stack: Stack): Record<string, string> {
  const paths: Record<string, string> = {};
  for (const construct of stack.node.findAll()) {
    const resource = construct as Partial<CdkCfnResource>;
    if (typeof resource.cfnResourceType === 'string' && resource.logicalId !== undefined) {
      paths[stack.resolve(resource.logicalId)] = construct.node.path;
    }
  }
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const path = resource.Metadata?.['aws:cdk:path'];
    if (typeof path === 'string') paths[logicalId] = path;
  }
  // The detector construct's id, `Default`, is left out of logical ids; it is left out of the names here too.
  const prefix = `${stack.node.path}/`;
  const relative = (path: string): string => (path.startsWith(prefix) ? path.slice(prefix.length) : path).replace(/^Default\//, '');
  return Object.fromEntries(Object.entries(paths).map(([id, path]) => [id, relative(path)]));
}

type NagPackClass = new () => nag.NagPack;

/**
 * The packs registered on the app (by name), each run again on the synthesized construct tree by a fresh instance
 * of the same pack, so the report states the findings rather than assuming them. Acknowledged findings are not
 * counted (cdk-nag skips them); the synth has already failed if any other finding exists.
 */
function nagResults(app: App): ReportInput['nag'] {
  const previous = process.env.JSII_DEPRECATED;
  process.env.JSII_DEPRECATED = 'quiet';
  // Deprecated in favour of a `Validations.of(app).plugins` that aws-cdk-lib 2.276 does not have yet.
  const registered = (app.policyValidationBeta1 ?? []).map((plugin) => plugin.name);
  if (previous === undefined) delete process.env.JSII_DEPRECATED;
  else process.env.JSII_DEPRECATED = previous;
  const packClasses = Object.values(nag).filter((value): value is NagPackClass => typeof value === 'function' && value.prototype instanceof nag.NagPack);
  return registered.map((name) => {
    const PackClass = packClasses.find((candidate) => new candidate().name === name);
    if (!PackClass) return { pack: name, unacknowledgedFindings: 0, messages: ['(not a cdk-nag pack: its own result is that the synth passed)'] };
    const report = new PackClass().validateScope(app);
    return {
      pack: name,
      unacknowledgedFindings: report.violations.reduce((sum, violation) => sum + Math.max(1, violation.violatingResources.length), 0),
      messages: report.violations.map((violation) => `${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.resourceLogicalId).join(', ')}`),
    };
  });
}

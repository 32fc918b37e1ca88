/**
 * The CDK context keys of this project's app (`-c key=value`, or `context` in cdk.json) and how each becomes a
 * prop of `CloudTrailDetector` or of the forwarder stack. Only conversion lives here (text to lists, JSON to
 * objects, defaults relative to the project folder); the constructs validate the values themselves.
 */
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CloudTrailDetectorProps } from './cloudtrail-detector-props';
import { contextJsonObject } from './context-json';
import { DetectorConfigError } from './detector-config-error';
import { DetectorRules } from './detector-rules';
import { parseExceptionMapping } from './exception-pack-file';
import { parseAccountNames, parseOrganizationId } from './organization';
import type { DetectorEnrichmentProps } from './enrichment-bundle';

/** The value of `alertEmails` that deploys without e-mail subscriptions, on purpose. */
export const NO_ALERT_EMAILS = 'none';

/** How to fix each setting on the command line, for the one-line error `bin/app.ts` prints. */
export const CONTEXT_HINTS: Readonly<Record<string, string>> = {
  alertEmails: `Set -c alertEmails=secops@example.com,oncall@example.com (or "alertEmails" in cdk.json), or -c alertEmails=${NO_ALERT_EMAILS} to deploy without e-mail (alerts are still archived in S3)`,
  rulesDir: 'Point -c rulesDir at a folder of *.toml rules',
  exceptionsDir: 'Point -c exceptionsDir at a folder of Kibana exception list exports (*.ndjson)',
  exceptionMapping: `Give -c exceptionMapping='{"<rule id>":["<list id>"]}'`,
  allowExceptionsWithoutExpiry: 'Give -c allowExceptionsWithoutExpiry=true or false',
  opsTopicArn: 'Give -c opsTopicArn=arn:aws:sns:<region>:<account>:<topic>',
  reservedConcurrency: 'Give -c reservedConcurrency=<number>, or none',
  organizationId: 'Give -c organizationId=o-xxxxxxxxxx (your AWS Organizations id)',
  accountNames: `Give -c accountNames='{"123456789012":"Payments-Prod"}'`,
  tags: `Give -c tags='{"team":"secops"}'`,
  enrich: 'Give -c enrich=true or false',
  geoipDatabase: 'Point -c geoipDatabase at a GeoLite2/GeoIP2 City or Country .mmdb file',
  asnDatabase: 'Point -c asnDatabase at a GeoLite2/GeoIP2 ASN .mmdb file',
};

/** A context reader, e.g. `(key) => stack.node.tryGetContext(key)`. */
export type ContextReader = (key: string) => unknown;

/**
 * The detector's props from context. `scope` owns the imported ops topic; relative paths and the default
 * `exceptions/` folder are resolved against `projectDirectory` (where cdk.json is, the directory `cdk` runs the app in).
 */
export function detectorPropsFromContext(scope: Construct, context: ContextReader, projectDirectory = process.cwd()): CloudTrailDetectorProps {
  const emails = context('alertEmails');
  if (emails === undefined || emails === null || emails === '') {
    throw new DetectorConfigError('alertEmails', 'not set: alerts would reach no one');
  }
  const noEmails = emails === NO_ALERT_EMAILS;
  const opsTopicArn = parseOpsTopicArn(context('opsTopicArn'));
  const organizationId = parseOrganizationId(context('organizationId'));
  return {
    rules: rulesFromContext(context, projectDirectory),
    alertEmails: noEmails ? [] : Array.isArray(emails) ? emails.map(String) : typeof emails === 'string' ? emails.split(',') : (emails as string[]),
    allowNoSubscribers: noEmails,
    exceptions: {
      directory: exceptionsDirectory(context('exceptionsDir'), projectDirectory),
      mapping: parseExceptionMapping(context('exceptionMapping')),
      allowWithoutExpiry: parseBoolean('allowExceptionsWithoutExpiry', context('allowExceptionsWithoutExpiry')),
    },
    organization: organizationId ? { organizationId } : undefined,
    accountNames: parseAccountNames(context('accountNames')),
    opsTopic: opsTopicArn ? sns.Topic.fromTopicArn(scope, 'OpsTopic', opsTopicArn) : undefined,
    reservedConcurrency: parseReservedConcurrency(context('reservedConcurrency')),
    tags: parseTags(context('tags')),
    enrichment: enrichmentFromContext(context, projectDirectory),
  };
}

/** `enrich` (default true), `geoipDatabase` and `asnDatabase` (your own .mmdb files, relative to the project folder). */
export function enrichmentFromContext(context: ContextReader, projectDirectory = process.cwd()): DetectorEnrichmentProps {
  const enrich = context('enrich');
  if (enrich !== undefined && enrich !== true && enrich !== false && enrich !== 'true' && enrich !== 'false') {
    throw new DetectorConfigError('enrich', `must be true or false, got ${JSON.stringify(enrich)}`);
  }
  const file = (key: 'geoipDatabase' | 'asnDatabase'): string | undefined => {
    const value = context(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw new DetectorConfigError(key, `must be a path to a .mmdb file, got ${JSON.stringify(value)}`);
    return resolve(projectDirectory, value);
  };
  const enabled = enrich !== false && enrich !== 'false';
  const props = { enabled, geoDatabase: file('geoipDatabase'), asnDatabase: file('asnDatabase') };
  if (!enabled && (props.geoDatabase || props.asnDatabase)) {
    throw new DetectorConfigError('enrich', 'enrich=false cannot be combined with geoipDatabase or asnDatabase');
  }
  return props;
}

/** `rulesDir`: a folder of TOML rules (relative to the project folder); default: the rules shipped with the package. */
export function rulesFromContext(context: ContextReader, projectDirectory = process.cwd()): DetectorRules {
  const directory = context('rulesDir');
  if (directory === undefined || directory === null || directory === '') return DetectorRules.shipped();
  if (typeof directory !== 'string') throw new DetectorConfigError('rulesDir', `must be a folder path, got ${JSON.stringify(directory)}`);
  return DetectorRules.fromDirectory(resolve(projectDirectory, directory));
}

/** `exceptionsDir`: a folder (relative to the project folder); default `exceptions/` of the project, when present. */
function exceptionsDirectory(value: unknown, projectDirectory: string): string | undefined {
  if (value === undefined || value === null || value === '') {
    const fallback = join(projectDirectory, 'exceptions');
    return existsSync(fallback) ? fallback : undefined;
  }
  if (typeof value !== 'string') throw new DetectorConfigError('exceptionsDir', `must be a folder path, got ${JSON.stringify(value)}`);
  return resolve(projectDirectory, value);
}

/** `opsTopicArn`: absent/empty (use the alert topic) or an SNS topic ARN; anything else fails the synth. */
export function parseOpsTopicArn(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(value)) {
    throw new DetectorConfigError('opsTopicArn', `must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>), got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `reservedConcurrency`: a positive integer, `none` (no reservation), or absent (the construct's default). */
export function parseReservedConcurrency(value: unknown): number | 'none' | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value === 'none') return 'none';
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(number) || number < 1) {
    throw new DetectorConfigError('reservedConcurrency', `must be a positive integer or "none", got ${JSON.stringify(value)}`);
  }
  return number;
}

/** `tags`: a JSON object of tag key → value (text from `-c`, or an object in cdk.json). */
export function parseTags(value: unknown): Record<string, string> | undefined {
  return contextJsonObject('tags', value, '{"team":"secops"}') as Record<string, string> | undefined;
}

function parseBoolean(name: string, value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new DetectorConfigError(name, `must be true or false, got ${JSON.stringify(value)}`);
}

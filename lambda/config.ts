import { readFileSync } from 'node:fs';
import { exceptionPackFromJson, type ExceptionList } from '../src/engine/exceptions';

export interface HandlerConfig {
  readonly alertTopicArn: string;
  readonly archiveBucket: string;
  /** Empty (bucket root) or ending in `/`. */
  readonly archivePrefix: string;
  readonly rulesPath: string;
  /**
   * How long a `claimed` archive object blocks other deliveries of the same alert (see docs/delivery.md).
   * Must be longer than the function timeout, so that a live invocation's claim is never taken over.
   */
  readonly claimLeaseSeconds: number;
  /** Where alert suppression windows are stored in the archive bucket (`ALERT_SUPPRESSION_PREFIX`, default `suppression/`). */
  readonly suppressionPrefix: string;
  /** The DynamoDB table of new_terms and threshold state (`STATE_TABLE_NAME`); needed when the pack has such rules. */
  readonly stateTableName?: string;
}

const DEFAULT_ARCHIVE_PREFIX = 'alerts/';
const DEFAULT_SUPPRESSION_PREFIX = 'suppression/';
export const DEFAULT_CLAIM_LEASE_SECONDS = 300;

/** Deployment settings packaged next to rules.json (`detector-config.json`, written by the CDK stack). */
export interface DetectorConfigFile {
  /** Display names of accounts for alerts (context `accountNames`): 12-digit id → name. */
  readonly accountNames: Readonly<Record<string, string>>;
}

/**
 * Reads `detector-config.json` at cold start. Absent file: nothing configured (the stack writes it only when there is
 * something to say). A present but malformed file throws, naming the problem, like a bad rule pack.
 */
export function readDetectorConfig(path: string): DetectorConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { accountNames: {} };
    throw error;
  }
  const parsed = JSON.parse(text) as { accountNames?: unknown };
  const names = parsed?.accountNames ?? {};
  if (typeof names !== 'object' || names === null || Array.isArray(names)) {
    throw new Error(`Detector Lambda is misconfigured: ${path}: accountNames must be an object of account id to name`);
  }
  const accountNames: Record<string, string> = {};
  for (const [id, name] of Object.entries(names)) {
    if (!/^\d{12}$/.test(id) || typeof name !== 'string' || name.trim() === '') {
      throw new Error(`Detector Lambda is misconfigured: ${path}: accountNames entry ${JSON.stringify(id)} must map a 12-digit account id to a name`);
    }
    accountNames[id] = name.trim();
  }
  return { accountNames };
}

/**
 * Reads `exceptions.json` (resolved at synth from the exception list exports, docs/exceptions.md) at cold start:
 * rule id → its exception lists. Absent file: no exceptions. A present but malformed file throws.
 */
export function readExceptionPack(path: string): Map<string, readonly ExceptionList[]> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  const resolved = exceptionPackFromJson(text, path);
  return new Map(resolved.filter((rule) => rule.lists.length > 0).map((rule) => [rule.ruleId, rule.lists.map(({ list }) => list)]));
}

/**
 * Reads the Lambda's configuration from its environment. Throws at cold start, naming every missing
 * variable, so a misconfigured deployment fails on its first invocation instead of per alert.
 */
export function readHandlerConfig(env: NodeJS.ProcessEnv, defaultRulesPath: string): HandlerConfig {
  const alertTopicArn = nonEmpty(env.ALERT_TOPIC_ARN);
  const archiveBucket = nonEmpty(env.ALERT_ARCHIVE_BUCKET);
  const missing = [
    ...(alertTopicArn === undefined ? ['ALERT_TOPIC_ARN (SNS topic for alerts)'] : []),
    ...(archiveBucket === undefined ? ['ALERT_ARCHIVE_BUCKET (S3 bucket for archived alerts)'] : []),
  ];
  if (alertTopicArn === undefined || archiveBucket === undefined) {
    throw new Error(`Detector Lambda is misconfigured: missing environment variable ${missing.join(', ')}`);
  }
  return {
    alertTopicArn,
    archiveBucket,
    archivePrefix: normalisePrefix(env.ALERT_ARCHIVE_PREFIX ?? DEFAULT_ARCHIVE_PREFIX),
    rulesPath: nonEmpty(env.DETECTOR_RULES_PATH) ?? defaultRulesPath,
    claimLeaseSeconds: claimLease(env.ALERT_CLAIM_LEASE_SECONDS),
    suppressionPrefix: normalisePrefix(env.ALERT_SUPPRESSION_PREFIX ?? DEFAULT_SUPPRESSION_PREFIX),
    ...(nonEmpty(env.STATE_TABLE_NAME) ? { stateTableName: nonEmpty(env.STATE_TABLE_NAME) } : {}),
  };
}

function claimLease(value: string | undefined): number {
  const text = nonEmpty(value);
  if (text === undefined) return DEFAULT_CLAIM_LEASE_SECONDS;
  const seconds = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(seconds) || seconds < 1) {
    throw new Error(`Detector Lambda is misconfigured: ALERT_CLAIM_LEASE_SECONDS must be a whole number of seconds >= 1, got ${JSON.stringify(value)}`);
  }
  return seconds;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/** `alerts` and `alerts/` mean the same folder; an empty prefix (set explicitly) means the bucket root. */
function normalisePrefix(prefix: string): string {
  const withoutLeadingSlashes = prefix.trim().replace(/^\/+/, '');
  if (withoutLeadingSlashes === '' || withoutLeadingSlashes.endsWith('/')) return withoutLeadingSlashes;
  return `${withoutLeadingSlashes}/`;
}

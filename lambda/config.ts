export interface HandlerConfig {
  readonly alertTopicArn: string;
  readonly archiveBucket: string;
  /** Empty (bucket root) or ending in `/`. */
  readonly archivePrefix: string;
  readonly rulesPath: string;
}

const DEFAULT_ARCHIVE_PREFIX = 'alerts/';

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
  };
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

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../lib/package-paths';

export const PROGRAM_NAME = 'cloudtrail-stream-detector';

export const PROGRAM_DESCRIPTION = `Detects risky AWS API calls in CloudTrail data with Elastic's detection rules
(KQL), using the same engine as the deployed Lambda: scan archives on disk or in S3, hunt the past with Athena,
re-drive dead-lettered events, write the auditor's report.`;

/** The package's version, as `--version` prints it. */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

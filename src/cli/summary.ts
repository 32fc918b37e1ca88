/** Counts for the closing summary line on stderr. */
export interface ScanTally {
  rules: number;
  files: number;
  records: number;
  skippedDigests: number;
  /** Documentation files found in directories and not read (README.md, INDEX.md, LICENSE.txt, ...). */
  skippedFiles: number;
  alerts: number;
  duplicateAlerts: number;
  /** Matches an exception excepted (`--exceptions`), and matches alert suppression held back; absent means 0. */
  suppressedByException?: number;
  suppressedByWindow?: number;
  errors: number;
  /** The reader of stdout went away before the scan finished. */
  stoppedEarly: boolean;
  /** Set once an s3:// location is scanned: what S3 was asked, for the summary. */
  s3?: S3Tally;
  /** Ctrl-C stopped the scan. */
  interrupted?: boolean;
  /** Inputs that held no CloudTrail record (`{"foo":1}`, an empty file or gzip); absent means 0. */
  withoutRecords?: number;
  /** JSON objects that are not CloudTrail records, skipped; absent means 0. */
  notCloudTrail?: number;
  /** Records that reached a stateful rule further behind the newest record than its state keeps; absent means 0. */
  lateForState?: number;
  /** State entries written by --state-out; absent without it. */
  stateSaved?: number;
}

export interface S3Tally {
  /** ListObjectsV2 requests, with and without delimiter. */
  listRequests: number;
  /** Object keys S3 listed (digests and filtered keys included). */
  objectsListed: number;
  /** Objects fetched with GetObject. */
  objectsFetched: number;
  /** Bytes received for fetched objects (compressed size). */
  bytes: number;
}

export function emptyS3Tally(): S3Tally {
  return { listRequests: 0, objectsListed: 0, objectsFetched: 0, bytes: 0 };
}

export function emptyTally(rules: number): ScanTally {
  return { rules, files: 0, records: 0, skippedDigests: 0, skippedFiles: 0, alerts: 0, duplicateAlerts: 0, errors: 0, stoppedEarly: false };
}

/** e.g. `scanned 4 files with 1 rule: 23 records, 1 digest skipped, 3 alerts (1 repeat suppressed), 0 errors` */
export function formatSummary(tally: ScanTally): string {
  const parts = [
    count(tally.records, 'record'),
    ...(tally.skippedDigests > 0 ? [`${count(tally.skippedDigests, 'digest')} skipped`] : []),
    ...(tally.withoutRecords ? [`${count(tally.withoutRecords, 'input')} without CloudTrail records`] : []),
    ...(tally.notCloudTrail ? [`${count(tally.notCloudTrail, 'non-CloudTrail object')} skipped`] : []),
    count(tally.alerts, 'alert') + (tally.duplicateAlerts > 0 ? ` (${count(tally.duplicateAlerts, 'repeat')} suppressed)` : ''),
    ...(tally.suppressedByException ? [`${count(tally.suppressedByException, 'match', 'matches')} suppressed by exceptions`] : []),
    ...(tally.suppressedByWindow ? [`${count(tally.suppressedByWindow, 'match', 'matches')} suppressed by alert suppression`] : []),
    count(tally.errors, 'error'),
  ];
  const stopped = tally.stoppedEarly ? '; stopped early because the output was closed' : '';
  const s3 = tally.s3
    ? `; S3: ${count(tally.s3.objectsListed, 'object')} listed in ${count(tally.s3.listRequests, 'list request')}, ${tally.s3.objectsFetched} fetched (${formatBytes(tally.s3.bytes)})`
    : '';
  const interrupted = tally.interrupted ? '; interrupted' : '';
  const state = tally.stateSaved !== undefined ? `; state: ${count(tally.stateSaved, 'key')} saved` : '';
  const skippedFiles = tally.skippedFiles > 0 ? ` (${count(tally.skippedFiles, 'non-data file')} skipped)` : '';
  return `scanned ${count(tally.files, 'file')}${skippedFiles} with ${count(tally.rules, 'rule')}: ${parts.join(', ')}${s3}${state}${stopped}${interrupted}`;
}

function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** 1536 → `1.5 KB`, in powers of 1024. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

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
  errors: number;
  /** The reader of stdout went away before the scan finished. */
  stoppedEarly: boolean;
}

export function emptyTally(rules: number): ScanTally {
  return { rules, files: 0, records: 0, skippedDigests: 0, skippedFiles: 0, alerts: 0, duplicateAlerts: 0, errors: 0, stoppedEarly: false };
}

/** e.g. `scanned 4 files with 1 rule: 23 records, 1 digest skipped, 3 alerts (1 repeat suppressed), 0 errors` */
export function formatSummary(tally: ScanTally): string {
  const parts = [
    count(tally.records, 'record'),
    ...(tally.skippedDigests > 0 ? [`${count(tally.skippedDigests, 'digest')} skipped`] : []),
    count(tally.alerts, 'alert') + (tally.duplicateAlerts > 0 ? ` (${count(tally.duplicateAlerts, 'repeat')} suppressed)` : ''),
    count(tally.errors, 'error'),
  ];
  const stopped = tally.stoppedEarly ? '; stopped early because the output was closed' : '';
  const skippedFiles = tally.skippedFiles > 0 ? ` (${count(tally.skippedFiles, 'non-data file')} skipped)` : '';
  return `scanned ${count(tally.files, 'file')}${skippedFiles} with ${count(tally.rules, 'rule')}: ${parts.join(', ')}${stopped}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

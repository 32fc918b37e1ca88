import { DetectorConfigError } from './detector-config-error';

/**
 * The alert e-mail addresses: a list (construct prop, or a list in cdk.json) or a comma-separated string
 * (`-c alertEmails=a@x.com,b@x.com`). Blank entries are ignored; duplicates are dropped. Any invalid address fails
 * the synth with an error naming every offending entry, so a typo never silently drops an alert recipient.
 */
export function parseAlertEmails(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const entries = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : undefined;
  if (!entries) throw new DetectorConfigError('alertEmails', `must be a comma-separated string or a list of addresses, got ${JSON.stringify(value)}`);
  const addresses = [...new Set(entries.map((entry) => entry.trim()).filter((entry) => entry !== ''))];
  const invalid = addresses.filter((address) => !isPlausibleEmail(address));
  if (invalid.length > 0) {
    throw new DetectorConfigError(
      'alertEmails',
      `${invalid.map((a) => JSON.stringify(a)).join(', ')} ${invalid.length > 1 ? 'are not e-mail addresses' : 'is not an e-mail address'}`,
      'Give addresses such as secops@example.com, separated by commas',
    );
  }
  return addresses;
}

/**
 * One `@`, a non-empty local part without spaces, and a dotted domain of letters, digits and hyphens. Deliberately
 * simple: SNS sends a confirmation mail anyway; this only catches typos at synth time.
 */
function isPlausibleEmail(address: string): boolean {
  return /^[^\s@",;<>]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/.test(address) && address.length <= 254;
}

/**
 * Whether a JSON object read from an input is a CloudTrail record at all. Every CloudTrail record carries
 * `eventVersion`, `eventSource` and `eventName` (API calls, console sign-ins, service events); an object with none of
 * them (`{"foo":1}`, an unrelated JSON file) is not scanned and is named on stderr instead of being counted as a
 * record that happened not to alert.
 */
export function isCloudTrailRecord(record: object): boolean {
  const fields = record as Record<string, unknown>;
  return typeof fields.eventVersion === 'string' || typeof fields.eventName === 'string' || typeof fields.eventSource === 'string';
}

export const CLOUDTRAIL_RECORD_FIELDS = 'eventVersion, eventName or eventSource';

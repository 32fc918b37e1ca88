import { Tags } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { DetectorConfigError } from './detector-config-error';

/** The tag every resource of the detector carries, so that cost reports and inventories can find them. */
export const APPLICATION_TAG_KEY = 'application';
export const APPLICATION_TAG_VALUE = 'cloudtrail-stream-detector';

/** AWS's tag rules: keys of 1 to 128 and values of up to 256 letters, digits, spaces and `_.:/=+-@`; no `aws:` keys. */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/**
 * Tags every taggable resource under `scope`: `application: cloudtrail-stream-detector` plus the user's tags (which
 * may replace the application value). A tag AWS would refuse fails the synth here, naming it.
 */
export function applyTags(scope: IConstruct, tags: Readonly<Record<string, string>> = {}): void {
  const all: Record<string, string> = { [APPLICATION_TAG_KEY]: APPLICATION_TAG_VALUE, ...checkedTags(tags) };
  for (const [key, value] of Object.entries(all)) Tags.of(scope).add(key, value);
}

function checkedTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) {
    throw new DetectorConfigError('tags', `must be an object of tag key to value, got ${JSON.stringify(tags)}`);
  }
  const problems: string[] = [];
  for (const [key, value] of Object.entries(tags)) {
    if (key.length < 1 || key.length > 128 || !TAG_TEXT.test(key) || key.toLowerCase().startsWith('aws:')) {
      problems.push(`key ${JSON.stringify(key)} must be 1 to 128 letters, digits, spaces or _.:/=+-@ and not start with aws:`);
    } else if (typeof value !== 'string' || value.length > 256 || !TAG_TEXT.test(value)) {
      problems.push(`the value of ${JSON.stringify(key)} must be up to 256 letters, digits, spaces or _.:/=+-@, got ${JSON.stringify(value)}`);
    }
  }
  if (problems.length > 0) throw new DetectorConfigError('tags', problems.join('; '));
  return { ...tags };
}

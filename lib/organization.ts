import { contextJsonObject } from './context-json';
import { DetectorConfigError } from './detector-config-error';

/**
 * Context values of the organization (central) deployment: docs/organization.md.
 * Every parser fails the synth with an error naming the bad value, so a typo never deploys a bus that accepts
 * nobody (or everybody).
 */

/** Name of the central event bus in the security account (same name in every region it is deployed to). */
export const CENTRAL_BUS_NAME = 'cloudtrail-detector';

/**
 * Every forwarder role (member accounts and the security account's own) is named this plus its region: IAM role names
 * are per account, and one account runs a forwarder in each region. The central bus admits only roles so named.
 */
export const FORWARDER_ROLE_NAME_PREFIX = 'CloudTrailDetectorForwarder-';

/** `organizationId` context: absent (single-account mode) or an AWS Organizations id, `o-` + 10 to 32 characters. */
export function parseOrganizationId(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !/^o-[a-z0-9]{10,32}$/.test(value.trim())) {
    throw new DetectorConfigError('organizationId', `must be an AWS Organizations id (o- followed by 10 to 32 lowercase letters or digits), got ${JSON.stringify(value)}`);
  }
  return value.trim();
}

/** `accountId`-like context values: exactly 12 digits. */
export function parseAccountId(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{12}$/.test(text.trim())) {
    throw new DetectorConfigError(name, `must be a 12-digit AWS account id, got ${JSON.stringify(value)}`);
  }
  return text.trim();
}

/** `centralRegion`-like context values: a region code such as `us-east-1`. */
export function parseRegion(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(value.trim())) {
    throw new DetectorConfigError(name, `must be an AWS region code such as us-east-1, got ${JSON.stringify(value)}`);
  }
  return value.trim();
}

export const EVENT_BUS_ARN_PATTERN = '^arn:aws[a-z-]*:events:[a-z]{2}(-[a-z]+)+-\\d+:\\d{12}:event-bus/[A-Za-z0-9._\\-/]{1,256}$';

/** `centralBusArn` context: absent or an EventBridge event bus ARN. */
export function parseEventBusArn(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !new RegExp(EVENT_BUS_ARN_PATTERN).test(value.trim())) {
    throw new DetectorConfigError(name, `must be an EventBridge event bus ARN (arn:aws:events:<region>:<account>:event-bus/<name>), got ${JSON.stringify(value)}`);
  }
  return value.trim();
}

/**
 * The central bus ARN the forwarder sends to, from context: `centralBusArn`, or `centralAccountId` +
 * `centralRegion` (+ the bus name, `cloudtrail-detector`). Undefined when neither is given: the template then
 * requires the ARN as a CloudFormation parameter (what a StackSet passes with `--parameters`).
 */
export function centralBusArnFromContext(context: (key: string) => unknown): string | undefined {
  const arn = parseEventBusArn('centralBusArn', context('centralBusArn'));
  const account = parseAccountId('centralAccountId', context('centralAccountId'));
  const region = parseRegion('centralRegion', context('centralRegion'));
  if (arn) {
    if (account || region) throw new DetectorConfigError('centralBusArn', 'give either centralBusArn or centralAccountId + centralRegion, not both');
    return arn;
  }
  if (account === undefined && region === undefined) return undefined;
  if (account === undefined || region === undefined) {
    throw new DetectorConfigError(account ? 'centralRegion' : 'centralAccountId', `centralAccountId and centralRegion go together (got ${account ? 'only centralAccountId' : 'only centralRegion'})`);
  }
  const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return `arn:${partition}:events:${region}:${account}:event-bus/${CENTRAL_BUS_NAME}`;
}

/** Display names of accounts, e.g. `{"123456789012": "Payments-Prod"}`. */
export type AccountNames = Readonly<Record<string, string>>;

const MAX_ACCOUNT_NAME_LENGTH = 50;

/**
 * `accountNames` context: a JSON object (string on the command line, object in cdk.json) of 12-digit account id →
 * display name (1 to 50 printable characters, no line breaks). Anything else fails the synth, naming the entries.
 */
export function parseAccountNames(value: unknown): AccountNames {
  const parsed = contextJsonObject('accountNames', value, '{"123456789012":"Payments-Prod"}');
  if (parsed === undefined) return {};
  const problems: string[] = [];
  const names: Record<string, string> = {};
  for (const [id, name] of Object.entries(parsed)) {
    if (!/^\d{12}$/.test(id)) problems.push(`${JSON.stringify(id)} is not a 12-digit account id`);
    else if (typeof name !== 'string' || name.trim() === '' || name.trim().length > MAX_ACCOUNT_NAME_LENGTH || /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(name)) {
      problems.push(`the name of ${id} must be 1 to ${MAX_ACCOUNT_NAME_LENGTH} printable characters on one line, got ${JSON.stringify(name)}`);
    } else names[id] = name.trim();
  }
  if (problems.length > 0) throw new DetectorConfigError('accountNames', problems.join('; '));
  return names;
}

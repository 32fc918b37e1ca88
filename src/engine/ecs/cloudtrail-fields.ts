import type { Enrichment } from '../enrichment/enrichment';
import { DocumentBuilder } from './document-builder';
import { isIpAddress } from './ip-address';
import { toJavaString } from './java-map-string';
import { asKeyword, JsonObject, member, path } from './json-values';
import { mapResources } from './resources';

const AMAZONAWS_SUFFIX = '.amazonaws.com';

/** `sts` from `sts.amazonaws.com`; sources outside amazonaws.com have no service name. */
export function serviceNameOf(eventSource: string | undefined): string | undefined {
  if (eventSource === undefined || !eventSource.endsWith(AMAZONAWS_SUFFIX)) return undefined;
  const name = eventSource.slice(0, eventSource.length - AMAZONAWS_SUFFIX.length);
  return name === '' ? undefined : name;
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** The `aws.cloudtrail.*` fields `mapEventMetadata` writes (besides `cloud.service.name` and `event.*`). */
export const METADATA_FIELDS: readonly string[] = [
  'event_version', 'event_category', 'event_type', 'request_id', 'api_version', 'management_event', 'read_only',
  'recipient_account_id', 'shared_event_id', 'vpc_endpoint_id', 'vpc_endpoint_account_id', 'addendum',
  'session_credential_from_console', 'error_code', 'error_message', 'resources',
].map((name) => `aws.cloudtrail.${name}`);

/** Event metadata that maps one-to-one onto `event.*` and `aws.cloudtrail.*`. */
export function mapEventMetadata(json: JsonObject, doc: DocumentBuilder, envelopeId: string | undefined): void {
  const eventSource = asKeyword(json.eventSource);
  doc.set('cloud.service.name', serviceNameOf(eventSource));
  doc.set('event.provider', eventSource);
  doc.set('event.action', asKeyword(json.eventName));
  doc.set('event.id', asKeyword(json.eventID) ?? envelopeId);

  const trail = 'aws.cloudtrail';
  doc.set(`${trail}.event_version`, asKeyword(json.eventVersion));
  doc.set(`${trail}.event_category`, asKeyword(json.eventCategory));
  doc.set(`${trail}.event_type`, asKeyword(json.eventType));
  doc.set(`${trail}.request_id`, asKeyword(json.requestID));
  doc.set(`${trail}.api_version`, asKeyword(json.apiVersion));
  if (json.managementEvent !== undefined) doc.set(`${trail}.management_event`, toJavaString(json.managementEvent));
  // A rename in the pipeline: the boolean stays a boolean.
  if (isScalar(json.readOnly)) doc.set(`${trail}.read_only`, json.readOnly);
  doc.set(`${trail}.recipient_account_id`, asKeyword(json.recipientAccountId));
  doc.set(`${trail}.shared_event_id`, asKeyword(json.sharedEventID) ?? asKeyword(json.sharedEventId));
  doc.set(`${trail}.vpc_endpoint_id`, asKeyword(json.vpcEndpointId));
  doc.set(`${trail}.vpc_endpoint_account_id`, asKeyword(json.vpcEndpointAccountId));
  const addendum = json.addendum;
  doc.set(`${trail}.addendum.reason`, asKeyword(member(addendum, 'reason')));
  doc.set(`${trail}.addendum.updated_fields`, asKeyword(member(addendum, 'updatedFields')));
  doc.set(`${trail}.addendum.original_request_id`, asKeyword(member(addendum, 'originalRequestID')));
  doc.set(`${trail}.addendum.original_event_id`, asKeyword(member(addendum, 'originalEventID')));
  doc.set(`${trail}.session_credential_from_console`, asKeyword(json.sessionCredentialFromConsole));
  doc.set(`${trail}.error_code`, errorText(json.errorCode));
  doc.set(`${trail}.error_message`, errorText(json.errorMessage));
  if (json.resources !== undefined) doc.set(`${trail}.resources`, mapResources(json.resources));
}

export interface EnvelopeFallbacks {
  account?: string;
  region?: string;
}

/** `cloud.*`: the account is the caller's account first, then the trail's recipient, digest owner, envelope. */
export function mapCloud(json: JsonObject, doc: DocumentBuilder, envelope: EnvelopeFallbacks): void {
  doc.set('cloud.provider', 'aws');
  doc.set('cloud.region', asKeyword(json.awsRegion) ?? envelope.region);
  doc.set(
    'cloud.account.id',
    asKeyword(path(json, 'userIdentity', 'accountId')) ??
      asKeyword(json.recipientAccountId) ??
      asKeyword(json.awsAccountId) ??
      envelope.account,
  );
}

/**
 * `source.address` keeps whatever CloudTrail logged (IP, service host name, "AWS Internal"); `source.ip` only a real
 * address. Then the user agent. The lookups on them are `mapSourceEnrichment`'s.
 */
export function mapSource(json: JsonObject, doc: DocumentBuilder): void {
  const address = asKeyword(json.sourceIPAddress);
  doc.set('source.address', address);
  if (isIpAddress(address)) doc.set('source.ip', address);
  doc.set('user_agent.original', asKeyword(json.userAgent));
}

/**
 * Only a real address is looked up (geo, then AS, as the pipeline's two geoip processors), then the user agent is
 * parsed. Enrichment results are copied into the document: the lookups cache and share them. Runs right after
 * `mapSource`, so the fields keep the order they had when both were one step.
 */
export function mapSourceEnrichment(json: JsonObject, doc: DocumentBuilder, enrichment: Enrichment = {}): void {
  const address = asKeyword(json.sourceIPAddress);
  if (isIpAddress(address)) {
    const geo = enrichment.ip?.geo(address);
    if (geo !== undefined) doc.set('source.geo', { ...geo, ...(geo.location ? { location: { ...geo.location } } : {}) });
    const as = enrichment.ip?.as(address);
    doc.set('source.as.number', as?.number);
    doc.set('source.as.organization.name', as?.organizationName);
  }
  const userAgent = asKeyword(json.userAgent);
  if (userAgent !== undefined && enrichment.userAgent !== undefined) {
    const parsed = enrichment.userAgent.parse(userAgent);
    doc.set('user_agent.name', parsed.name);
    doc.set('user_agent.version', parsed.version);
    if (parsed.os !== undefined) doc.set('user_agent.os', { ...parsed.os });
    doc.set('user_agent.device', { ...parsed.device });
  }
}

/** Who was acted upon, as far as request/response payloads name it directly. */
export function mapTargetsFromPayloads(json: JsonObject, doc: DocumentBuilder): void {
  doc.set('group.id', asKeyword(path(json, 'responseElements', 'group', 'groupId')));
  doc.set('group.name', asKeyword(path(json, 'requestParameters', 'groupName')));
  doc.set('user.target.id', asKeyword(path(json, 'responseElements', 'user', 'userId')));
  doc.set('user.target.name', asKeyword(path(json, 'requestParameters', 'userName')));
  doc.set('user.changes.name', asKeyword(path(json, 'requestParameters', 'newUserName')));
}

/** ConsoleLogin's "Yes"/"No" flags as booleans (anything but "No" is true). */
export function mapConsoleLogin(json: JsonObject, doc: DocumentBuilder): void {
  if (json.eventName !== 'ConsoleLogin') return;
  const additional = json.additionalEventData;
  const prefix = 'aws.cloudtrail.console_login.additional_eventdata';
  const mobileVersion = member(additional, 'MobileVersion');
  if (mobileVersion !== undefined) doc.set(`${prefix}.mobile_version`, mobileVersion !== 'No');
  doc.set(`${prefix}.login_to`, asKeyword(member(additional, 'LoginTo')));
  const mfaUsed = member(additional, 'MFAUsed');
  if (mfaUsed !== undefined) doc.set(`${prefix}.mfa_used`, mfaUsed !== 'No');
}

/**
 * errorCode / errorMessage as keywords: a scalar as its keyword, an array (at any depth) as the keywords of its scalar
 * elements, an object as nothing. This is where EventBridge looks too: its patterns see the scalar leaves of a field,
 * arrays flattened, and an object is not a leaf. The success pre-filter (`errorCode` absent, null, "", "-" or "none",
 * the values null removal erases) therefore lets through exactly the records this makes successes. Real CloudTrail
 * writes only strings here; the other shapes are what a hostile or broken producer could send.
 */
function errorText(value: unknown): string | string[] | undefined {
  if (!Array.isArray(value)) return asKeyword(value);
  const keywords: string[] = [];
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (Array.isArray(next)) for (let index = next.length - 1; index >= 0; index -= 1) pending.push(next[index]);
    else {
      const keyword = asKeyword(next);
      if (keyword !== undefined) keywords.push(keyword);
    }
  }
  return keywords.length > 0 ? keywords : undefined;
}

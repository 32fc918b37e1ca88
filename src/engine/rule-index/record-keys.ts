import { asKeyword, isJsonObject } from '../ecs/json-values';
import { removeEmptyValues } from '../ecs/null-removal';

/**
 * The ECS fields the rule index can read straight from a raw CloudTrail record, each with the record path the
 * normalizer copies it from unchanged (`asKeyword` of the member after null removal, with no fallback from the
 * envelope or another member). Only such fields can be looked up before normalizing: the value read here is then
 * exactly the value the rules will see. Most selective first: the index and the raw pre-filter prefer the first
 * field a rule constrains when demands are equally narrow.
 */
export const INDEXED_FIELDS: ReadonlyMap<string, readonly string[]> = new Map([
  ['event.action', ['eventName']],
  ['event.provider', ['eventSource']],
  ['aws.cloudtrail.user_identity.type', ['userIdentity', 'type']],
  ['aws.cloudtrail.user_identity.access_key_id', ['userIdentity', 'accessKeyId']],
  ['aws.cloudtrail.user_identity.arn', ['userIdentity', 'arn']],
  ['aws.cloudtrail.user_identity.invoked_by', ['userIdentity', 'invokedBy']],
  ['aws.cloudtrail.user_identity.session_context.session_issuer.arn', ['userIdentity', 'sessionContext', 'sessionIssuer', 'arn']],
  ['aws.cloudtrail.recipient_account_id', ['recipientAccountId']],
  ['source.address', ['sourceIPAddress']],
  ['user_agent.original', ['userAgent']],
]);

/**
 * Indexed fields with a handful of values, most of them common (`AssumedRole` is on most records of a trail): a demand
 * on them makes a poor raw needle, so the pre-filter prefers any other demand of the rule.
 */
export const FEW_VALUE_FIELDS: ReadonlySet<string> = new Set(['aws.cloudtrail.user_identity.type']);

/**
 * The keyword value the normalizer will write for `path` of a raw record, computed with the normalizer's own steps
 * (null removal drops "", "-", "none"; scalars become keyword text; objects and arrays have no keyword form; every
 * step on the way must be an object). Undefined: the field will be absent.
 */
export function keywordAt(record: Record<string, unknown>, path: readonly string[]): string | undefined {
  let current: unknown = record;
  for (const key of path) {
    if (!isJsonObject(current) || !Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = current[key];
  }
  // Containers never yield a keyword; skipping them avoids null removal's deep copy.
  if (typeof current === 'object' && current !== null) return undefined;
  return asKeyword(removeEmptyValues(current));
}

import { asKeyword, isJsonObject } from '../ecs/json-values';
import { CLOUDTRAIL_FIELD_BY_ECS_FIELD } from '../eventbridge/cloudtrail-fields';
import { removeEmptyValues } from '../ecs/null-removal';
import type { KqlNode } from '../kql/ast';
import { someValueAt, type FieldPath } from '../kql/document-access';
import { numberFromLiteral } from '../kql/value-matchers';
import type { RequiredValues } from './required-values';

/**
 * The ECS fields the rule index can read straight from a raw CloudTrail record, each with the record path the
 * normalizer copies it from unchanged (`asKeyword` of the member after null removal, with no fallback from the
 * envelope or another member). Only such fields can be looked up before normalizing: the value read here is then
 * exactly the value the rules will see. Most selective first: the index and the raw pre-filter prefer the first
 * field a rule constrains when demands are equally narrow.
 */
const INDEXED_ECS_FIELDS = [
  'event.action',
  'event.provider',
  'aws.cloudtrail.user_identity.type',
  'aws.cloudtrail.user_identity.access_key_id',
  'aws.cloudtrail.user_identity.arn',
  'aws.cloudtrail.user_identity.invoked_by',
  'aws.cloudtrail.user_identity.session_context.session_issuer.arn',
  'aws.cloudtrail.recipient_account_id',
  'source.address',
  'user_agent.original',
];

// The record paths are the EventBridge patterns' own table (one list of what the pipeline copies unchanged).
export const INDEXED_FIELDS: ReadonlyMap<string, readonly string[]> = new Map(
  INDEXED_ECS_FIELDS.map((field) => {
    const path = CLOUDTRAIL_FIELD_BY_ECS_FIELD.get(field);
    if (path === undefined) throw new Error(`rule index: ${field} has no CloudTrail path in CLOUDTRAIL_FIELD_BY_ECS_FIELD`);
    return [field, path];
  }),
);

/**
 * How poor a raw needle a demand on an indexed field makes, as a factor on its breadth: fields with few values, most
 * of them common (`AssumedRole` is on most records of a trail; `ec2.amazonaws.com` on a fifth of them), against an
 * API name or a part of a user agent, which few records hold. The pre-filter takes a rule's cheapest demand.
 */
export const NEEDLE_COST: ReadonlyMap<string, number> = new Map([
  ['event.provider', 1e7],
  ['aws.cloudtrail.user_identity.type', 1e9],
]);

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

/**
 * The flattened payloads (`aws.cloudtrail.flattened.request_parameters.key`, ...): the record's own payload object
 * after null removal, when its Java string is short enough, else absent. Either way every string the document holds
 * at such a field is a string the raw payload holds at the same path, so a demand on it can be checked on the raw
 * record. Numbers and booleans keep their JSON type there, and KQL compares them with a literal as numbers and as
 * `true`/`false`: `payloadDemand` drops a demand that such a value could meet.
 */
export const FLATTENED_PAYLOADS: ReadonlyMap<string, string> = new Map([
  ['aws.cloudtrail.flattened.request_parameters', 'requestParameters'],
  ['aws.cloudtrail.flattened.response_elements', 'responseElements'],
  ['aws.cloudtrail.flattened.additional_eventdata', 'additionalEventData'],
  ['aws.cloudtrail.flattened.service_event_details', 'serviceEventDetails'],
]);

/** The flattened payload fields a query names (literal names only), each with its payload member and inner path. */
export function payloadFieldsOf(query: KqlNode): { field: string; member: string; inner: string }[] {
  const found = new Map<string, { field: string; member: string; inner: string }>();
  const visit = (node: KqlNode): void => {
    if (node.type === 'and' || node.type === 'or') node.children.forEach(visit);
    else if (node.type === 'not') visit(node.child);
    else if (node.type === 'is' && node.field !== null && node.field.kind === 'literal') {
      const name = node.field.value;
      for (const [prefix, member] of FLATTENED_PAYLOADS) {
        if (name.startsWith(`${prefix}.`)) found.set(name, { field: name, member, inner: name.slice(prefix.length + 1) });
      }
    }
  };
  visit(query);
  return [...found.values()];
}

/** A demand on a flattened payload field, or 'any' where a number or boolean there could meet it. */
export function payloadDemand(demand: RequiredValues): RequiredValues {
  if (demand === 'any') return demand;
  return demand.exact.some((value) => numberFromLiteral(value) !== undefined || value === 'true' || value === 'false') ? 'any' : demand;
}

/** Every string at `inner` (arrays unrolled, dotted keys alike, as KQL reads it) of the record's payload `member`. */
export function payloadStrings(record: Record<string, unknown>, member: string, inner: FieldPath): string[] {
  const values: string[] = [];
  if (!Object.prototype.hasOwnProperty.call(record, member)) return values;
  someValueAt(record[member], inner, (value) => {
    if (typeof value === 'string') values.push(value);
    return false;
  });
  return values;
}

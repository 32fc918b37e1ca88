import { DocumentBuilder } from './document-builder';
import { isIpAddress } from './ip-address';
import { asKeyword, isJsonObject, JsonObject, member, path } from './json-values';
import { InsertionOrderedSet } from './ordered-set';
import { resourceArns } from './resources';
import { CallerSummary } from './user-identity';

const AMAZONAWS_SUFFIX = '.amazonaws.com';
const INSTANCE_ID_KEYS = ['instanceId', 'target', 'resourceId'];
const INSTANCE_ARN_MARKER = ':instance/';

function isInstanceId(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('i-') && value.length >= 10;
}

/** Instance ids from one payload: the id-bearing keys, `instanceIds[]` and top-level `instancesSet.items[].instanceId`. */
function collectInstanceIds(payload: unknown, hosts: InsertionOrderedSet): void {
  if (!isJsonObject(payload)) return;
  for (const key of INSTANCE_ID_KEYS) {
    const value = payload[key];
    if (isInstanceId(value)) hosts.add(value);
  }
  const instanceIds = payload.instanceIds;
  if (Array.isArray(instanceIds)) for (const id of instanceIds) if (isInstanceId(id)) hosts.add(id);
  const items = path(payload, 'instancesSet', 'items');
  if (Array.isArray(items)) {
    for (const item of items) {
      const id = member(item, 'instanceId');
      if (isInstanceId(id)) hosts.add(id);
    }
  }
}

/** `related.hosts`: non-AWS host names and EC2 instance ids involved in the call. */
export function relatedHosts(json: JsonObject, doc: DocumentBuilder): string[] {
  const hosts = new InsertionOrderedSet();
  const serverName = doc.get('tls.client.server_name');
  if (typeof serverName === 'string' && !serverName.endsWith(AMAZONAWS_SUFFIX)) hosts.add(serverName);
  const sourceAddress = doc.get('source.address');
  if (
    !doc.has('source.ip') &&
    typeof sourceAddress === 'string' &&
    sourceAddress.includes('.') &&
    !sourceAddress.includes(' ') &&
    !sourceAddress.endsWith(AMAZONAWS_SUFFIX)
  ) {
    hosts.add(sourceAddress);
  }
  hosts.add(asKeyword(path(json, 'requestParameters', 'computerName')));
  for (const arn of resourceArns(json.resources)) {
    const marker = arn.indexOf(INSTANCE_ARN_MARKER);
    if (marker < 0) continue;
    const id = arn.slice(marker + INSTANCE_ARN_MARKER.length);
    if (isInstanceId(id)) hosts.add(id);
  }
  collectInstanceIds(json.requestParameters, hosts);
  collectInstanceIds(json.responseElements, hosts);
  return hosts.toArray();
}

/** `related.ip`: the caller's address and, for service events, the address they report. */
export function relatedIps(json: JsonObject, doc: DocumentBuilder): string[] {
  const ips = new InsertionOrderedSet();
  const sourceIp = doc.get('source.ip');
  if (typeof sourceIp === 'string') ips.add(sourceIp);
  const reportedIp = path(json, 'serviceEventDetails', 'sourceIpAddress');
  if (isIpAddress(reportedIp)) ips.add(reportedIp);
  return ips.toArray();
}

/** `related.user` in the pipeline's append order, first occurrence wins. */
export function relatedUsers(json: JsonObject, doc: DocumentBuilder, caller: CallerSummary): string[] {
  const users = new InsertionOrderedSet();
  users.add(caller.sessionName);
  users.add(caller.sessionNameLocalPart);
  users.add(asKeyword(path(json, 'requestParameters', 'userName')));
  users.add(asKeyword(path(json, 'requestParameters', 'newUserName')));
  users.add(asKeyword(path(json, 'responseElements', 'user', 'userId')));
  users.add(asKeyword(doc.get('user.id')));
  users.add(asKeyword(doc.get('user.name')));
  users.add(asKeyword(doc.get('user.changes.name')));
  users.add(asKeyword(doc.get('aws.cloudtrail.user_identity.on_behalf_of.user_id')));
  return users.toArray();
}

import { isServiceLinkedRoleArn, parseArn } from './arn';
import { DocumentBuilder } from './document-builder';
import { asKeyword, JsonObject, member, path } from './json-values';
import { sortedUnique } from './ordered-set';
import { resourceArns } from './resources';
import { serviceRelatedEntities, serviceTargets } from './service-enrichment';
import { isServiceActor } from './user-identity';

const USER_RESOURCE_TYPES = new Set(['user', 'role', 'assumed-role', 'federated-user', 'instance-profile', 'mfa']);
const ACTOR_USER_RESOURCE_TYPES = new Set(['user', 'role', 'assumed-role', 'federated-user']);
const ACCESS_KEY_ID = /^AKIA[A-Z0-9]{16}$/;
const SERVICE_RESOURCE_ID_PREFIXES = [
  'sg-', 'vpc-', 'subnet-', 'eni-', 'ami-', 'vol-', 'snap-', 'igw-', 'rtb-', 'acl-', 'nat-', 'tgw-', 'pcx-', 'vpce-', 'lt-',
];

type EntityKind = 'user' | 'host' | 'service' | 'other';

function keywords(values: Iterable<unknown>): string[] {
  const result: string[] = [];
  for (const value of values) {
    const keyword = asKeyword(value);
    if (keyword !== undefined && keyword !== '') result.push(keyword);
  }
  return result;
}

/** A bare EC2 instance id for a host entity: `i-…` itself or the id inside an `instance/i-…` ARN. */
function instanceIdOf(value: string): string | undefined {
  if (value.startsWith('i-')) return value;
  const arn = parseArn(value);
  return arn?.resourceType === 'instance' && arn.resourceId.startsWith('i-') ? arn.resourceId : undefined;
}

function classifyTarget(value: string): EntityKind {
  const arn = parseArn(value);
  if (arn !== undefined) {
    if (isServiceLinkedRoleArn(value)) return 'service';
    if (USER_RESOURCE_TYPES.has(arn.resourceType)) return 'user';
    if (arn.resourceType === 'instance') return 'host';
    return 'service';
  }
  if (ACCESS_KEY_ID.test(value)) return 'user';
  if (value.startsWith('i-')) return 'host';
  if (SERVICE_RESOURCE_ID_PREFIXES.some((prefix) => value.startsWith(prefix))) return 'service';
  return 'other';
}

function eventTargets(json: JsonObject, serviceName: string | undefined, eventName: string): string[] {
  return sortedUnique(keywords(serviceTargets(serviceName, eventName, json)));
}

/** The caller as an entity: the identity ARN by default; for sts:AssumeRole, whoever holds the credentials used. */
function actorOf(json: JsonObject, serviceName: string | undefined, eventName: string): string | undefined {
  const userIdentity = json.userIdentity;
  const identityType = asKeyword(member(userIdentity, 'type'));
  const arn = asKeyword(member(userIdentity, 'arn'));
  if (serviceName === 'sts' && eventName === 'AssumeRole') {
    if (identityType === 'AWSService') return asKeyword(member(userIdentity, 'invokedBy'));
    if (identityType === 'AssumedRole') {
      return asKeyword(path(userIdentity, 'sessionContext', 'sessionIssuer', 'arn')) ?? arn;
    }
    return arn;
  }
  return arn ?? asKeyword(path(userIdentity, 'onBehalfOf', 'userId'));
}

function mapActor(json: JsonObject, actor: string, doc: DocumentBuilder): void {
  doc.set('actor.entity.id', [actor]);
  const userIdentity = json.userIdentity;
  const identityType = asKeyword(member(userIdentity, 'type'));
  if (isServiceActor(userIdentity)) {
    doc.set('service.entity.id', [actor]);
  } else if (identityType === 'IAMUser' || identityType === 'Root') {
    doc.set('user.entity.id', [actor]);
  } else if (identityType === 'AssumedRole') {
    // Since aws 8.9.0 the role, not the session, is the user entity.
    doc.set('user.entity.id', [asKeyword(path(userIdentity, 'sessionContext', 'sessionIssuer', 'arn')) ?? actor]);
  } else {
    const arn = parseArn(actor);
    if (arn !== undefined && ACTOR_USER_RESOURCE_TYPES.has(arn.resourceType)) doc.set('user.entity.id', [actor]);
    else if (arn?.resourceType === 'instance' || actor.startsWith('i-')) doc.set('host.entity.id', [actor]);
    else doc.set('entity.id', [actor]);
  }
}

function mapTargets(targets: string[], doc: DocumentBuilder): void {
  doc.set('target.entity.id', targets);
  const byKind: Record<EntityKind, string[]> = { user: [], host: [], service: [], other: [] };
  const hostIds: string[] = [];
  for (const target of targets) {
    const kind = classifyTarget(target);
    byKind[kind].push(target);
    if (kind === 'host') {
      const instanceId = instanceIdOf(target);
      if (instanceId !== undefined) hostIds.push(instanceId);
    }
  }
  doc.set('user.target.entity.id', byKind.user);
  doc.set('host.target.entity.id', byKind.host);
  doc.set('host.target.id', sortedUnique(hostIds));
  doc.set('service.target.entity.id', byKind.service);
  doc.set('entity.target.id', byKind.other);
}

/**
 * The actor/target entity script, always on (as with the `actor_target_mapping` tag). It reads the
 * cleaned record and writes sorted sets, like the TreeSets of the original. Records without an
 * `eventName` (digests, blank lines) get no entities.
 */
export function mapEntities(json: JsonObject, serviceName: string | undefined, doc: DocumentBuilder): void {
  const eventName = asKeyword(json.eventName);
  if (eventName === undefined) return;
  const userIdentity = json.userIdentity;
  const issuer = path(userIdentity, 'sessionContext', 'sessionIssuer');
  const targets = eventTargets(json, serviceName, eventName);
  const related = keywords([
    member(userIdentity, 'accessKeyId'),
    member(userIdentity, 'arn'),
    member(userIdentity, 'userName'),
    member(issuer, 'arn'),
    member(issuer, 'userName'),
    member(userIdentity, 'type') === 'IdentityCenterUser' ? path(userIdentity, 'onBehalfOf', 'identityStoreArn') : undefined,
    ...resourceArns(json.resources),
    ...serviceRelatedEntities(serviceName, json),
  ]);
  doc.set('related.entity', sortedUnique([...related, ...targets]));
  mapTargets(targets, doc);
  const actor = actorOf(json, serviceName, eventName);
  if (actor !== undefined && actor !== '') mapActor(json, actor, doc);
}

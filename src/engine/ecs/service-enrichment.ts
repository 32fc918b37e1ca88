import { isJsonObject, JsonObject, path } from './json-values';
import { MAX_NESTING_DEPTH } from './null-removal';
import { resourceArns } from './resources';

/**
 * Per-service additions to `related.entity` and per-event targets, keyed by the event source's
 * service name. Elastic's table covers more services (cloudformation, kms, lambda, …); only what the
 * reference and the conformance fixtures pin down is implemented — see docs/ecs-conformance.md.
 */
interface ServiceEnrichment {
  relatedEntities?(json: JsonObject): unknown[];
  targets?(eventName: string, json: JsonObject): unknown[];
}

/** EC2 payload keys whose values name resources (instances, images, reservations, network pieces). */
const EC2_ENTITY_KEYS = new Set(['instanceId', 'imageId', 'reservationId', 'groupId', 'subnetId', 'vpcId', 'networkInterfaceId']);

function collectByKey(value: unknown, keys: ReadonlySet<string>, found: unknown[], depth = 0): void {
  if (depth > MAX_NESTING_DEPTH) return;
  if (Array.isArray(value)) {
    for (const element of value) collectByKey(element, keys, found, depth + 1);
  } else if (isJsonObject(value)) {
    for (const key of Object.keys(value)) {
      const child = value[key];
      if (keys.has(key) && !isJsonObject(child) && !Array.isArray(child)) found.push(child);
      else collectByKey(child, keys, found, depth + 1);
    }
  }
}

function listMember(list: unknown, key: string): unknown[] {
  return Array.isArray(list) ? list.map((element) => path(element, key)) : [];
}

const S3_OBJECT_API = /Object/;

const RDS_TARGETS: ReadonlyMap<string, (json: JsonObject) => unknown> = new Map<string, (json: JsonObject) => unknown>([
  ['DeleteDBCluster', (json) => path(json, 'responseElements', 'dBClusterArn')],
  ['ModifyDBCluster', (json) => path(json, 'responseElements', 'dBClusterArn')],
  ['StopDBCluster', (json) => path(json, 'responseElements', 'dBClusterArn')],
  ['DeleteDBInstance', (json) => path(json, 'responseElements', 'dBInstanceArn')],
  ['ModifyDBInstance', (json) => path(json, 'responseElements', 'dBInstanceArn')],
  ['RestoreDBInstanceFromDBSnapshot', (json) => path(json, 'responseElements', 'dBInstanceArn')],
  ['RestoreDBInstanceFromS3', (json) => path(json, 'responseElements', 'dBInstanceArn')],
  ['StopDBInstance', (json) => path(json, 'responseElements', 'dBInstanceArn')],
  ['DeleteGlobalCluster', (json) => path(json, 'responseElements', 'globalClusterArn')],
  ['ModifyDBClusterSnapshotAttribute', (json) => path(json, 'requestParameters', 'dBClusterSnapshotIdentifier')],
  ['ModifyDBSnapshotAttribute', (json) => path(json, 'requestParameters', 'dBSnapshotIdentifier')],
  ['DescribeDBInstances', (json) => json.recipientAccountId],
]);

const SERVICE_ENRICHMENTS: ReadonlyMap<string, ServiceEnrichment> = new Map<string, ServiceEnrichment>([
  [
    's3',
    {
      relatedEntities: (json) => [path(json, 'requestParameters', 'bucketName')],
      targets: (eventName, json) => (S3_OBJECT_API.test(eventName) ? resourceArns(json.resources) : []),
    },
  ],
  [
    'sts',
    {
      relatedEntities: (json) => [
        path(json, 'requestParameters', 'roleArn'),
        path(json, 'requestParameters', 'roleSessionName'),
        path(json, 'responseElements', 'assumedRoleUser', 'arn'),
      ],
      targets: (eventName, json) => (eventName === 'AssumeRole' ? [path(json, 'requestParameters', 'roleArn')] : []),
    },
  ],
  [
    'ec2',
    {
      relatedEntities: (json) => {
        const found: unknown[] = [];
        collectByKey(json.requestParameters, EC2_ENTITY_KEYS, found);
        collectByKey(json.responseElements, EC2_ENTITY_KEYS, found);
        return found;
      },
    },
  ],
  [
    'ec2-instance-connect',
    {
      targets: (eventName, json) => (eventName === 'SendSSHPublicKey' ? [path(json, 'requestParameters', 'instanceId')] : []),
    },
  ],
  [
    'rds',
    {
      // `dbInstanceArn` (lower-case b) in the response is what the reference records; kept as recorded.
      relatedEntities: (json) => [
        path(json, 'requestParameters', 'dBInstanceIdentifier'),
        path(json, 'requestParameters', 'dBInstanceArn'),
        path(json, 'responseElements', 'dBInstanceIdentifier'),
        path(json, 'responseElements', 'dbInstanceArn'),
        path(json, 'responseElements', 'dBSubnetGroup', 'vpcId'),
        ...listMember(path(json, 'responseElements', 'dBSubnetGroup', 'subnets'), 'subnetIdentifier'),
        ...listMember(path(json, 'responseElements', 'vpcSecurityGroups'), 'vpcSecurityGroupId'),
      ],
      targets: (eventName, json) => {
        const target = RDS_TARGETS.get(eventName);
        return target === undefined ? [] : [target(json)];
      },
    },
  ],
  [
    'ssm',
    {
      // Inferred from the OpenControlChannel fixture: the instance in resources[] is the target.
      targets: (eventName, json) => (eventName === 'OpenControlChannel' ? resourceArns(json.resources) : []),
    },
  ],
]);

export function serviceRelatedEntities(serviceName: string | undefined, json: JsonObject): unknown[] {
  const enrichment = serviceName === undefined ? undefined : SERVICE_ENRICHMENTS.get(serviceName);
  return enrichment?.relatedEntities?.(json) ?? [];
}

export function serviceTargets(serviceName: string | undefined, eventName: string, json: JsonObject): unknown[] {
  const enrichment = serviceName === undefined ? undefined : SERVICE_ENRICHMENTS.get(serviceName);
  return enrichment?.targets?.(eventName, json) ?? [];
}

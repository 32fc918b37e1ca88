/**
 * The "realistic" profile of the synthetic archive: log objects shaped like a production trail's. CloudTrail writes
 * one object per account and region about every five minutes; in it a handful of principals (instance and Lambda
 * roles, CI, a few people, AWS services) repeat the same few calls, nearly all of them reads (Describe*, Get*,
 * List*, KMS Decrypt, AssumeRole), with a few percent of errors and rare writes. Objects hold 100–1,000 records,
 * median about 300. About one successful RDS StartExportTask per 10,000 records (what the packaged rule must find),
 * and some failed ones (which it must not).
 */
import { hex, pick, prng, uuid, type Random } from './synthetic-random';

export interface GeneratedObject {
  readonly text: string;
  readonly records: number;
  /** Successful rds StartExportTask records: what the packaged rule must alert on. */
  readonly matches: number;
}

/** [eventSource, eventName, readOnly] */
type Call = readonly [string, string, boolean];

const READS: Record<string, readonly Call[]> = {
  node: [
    ['ec2.amazonaws.com', 'DescribeInstances', true],
    ['ec2.amazonaws.com', 'DescribeNetworkInterfaces', true],
    ['ecr.amazonaws.com', 'GetAuthorizationToken', true],
    ['ecr.amazonaws.com', 'BatchGetImage', true],
    ['autoscaling.amazonaws.com', 'DescribeAutoScalingGroups', true],
  ],
  app: [
    ['kms.amazonaws.com', 'Decrypt', true],
    ['kms.amazonaws.com', 'GenerateDataKey', true],
    ['secretsmanager.amazonaws.com', 'GetSecretValue', true],
    ['ssm.amazonaws.com', 'GetParameter', true],
    ['dynamodb.amazonaws.com', 'DescribeTable', true],
  ],
  ci: [
    ['cloudformation.amazonaws.com', 'DescribeStacks', true],
    ['cloudformation.amazonaws.com', 'DescribeStackEvents', true],
    ['s3.amazonaws.com', 'GetBucketLocation', true],
    ['iam.amazonaws.com', 'GetRole', true],
    ['sts.amazonaws.com', 'GetCallerIdentity', true],
  ],
  person: [
    ['ec2.amazonaws.com', 'DescribeSecurityGroups', true],
    ['rds.amazonaws.com', 'DescribeDBInstances', true],
    ['rds.amazonaws.com', 'DescribeDBClusters', true],
    ['s3.amazonaws.com', 'ListBuckets', true],
    ['iam.amazonaws.com', 'ListRoles', true],
    ['logs.amazonaws.com', 'DescribeLogGroups', true],
  ],
  service: [
    ['sts.amazonaws.com', 'AssumeRole', true],
    ['kms.amazonaws.com', 'Decrypt', true],
    ['s3.amazonaws.com', 'GetBucketAcl', true],
    ['config.amazonaws.com', 'DescribeConfigRules', true],
  ],
};

/** Writes, one record in about 25: what a working account changes in five minutes. */
const WRITES: readonly Call[] = [
  ['logs.amazonaws.com', 'CreateLogStream', false],
  ['ec2.amazonaws.com', 'CreateTags', false],
  ['ec2.amazonaws.com', 'RunInstances', false],
  ['lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', false],
  ['cloudformation.amazonaws.com', 'UpdateStack', false],
  ['dynamodb.amazonaws.com', 'UpdateTable', false],
  ['s3.amazonaws.com', 'PutBucketTagging', false],
  ['ssm.amazonaws.com', 'PutParameter', false],
  ['rds.amazonaws.com', 'CreateDBSnapshot', false],
];

/** Changes to permissions and network exposure, which several of Elastic's rules watch: one write in 50. */
const RARE_WRITES: readonly Call[] = [
  ['iam.amazonaws.com', 'PutRolePolicy', false],
  ['ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', false],
];

const AGENTS = {
  node: 'aws-sdk-go-v2/1.24.1 os/linux lang/go#1.21.5 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.142.0',
  app: 'aws-sdk-java/2.21.10 Linux/5.10.205 OpenJDK_64-Bit_Server_VM/17.0.9+8-LTS Java/17.0.9 vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/legacy',
  ci: 'aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.amzn.2023 prompt/off command/cloudformation.describe-stacks',
  person: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  service: 'AWS Internal',
} as const;

type Kind = keyof typeof READS;

interface Principal {
  readonly kind: Kind;
  readonly identity: Record<string, unknown>;
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  /** Relative share of the object's records. */
  readonly weight: number;
}




function ip(rand: Random): string {
  return `${pick(rand, [3, 18, 34, 52, 54, 10, 172])}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${1 + Math.floor(rand() * 254)}`;
}

function assumedRole(rand: Random, account: string, role: string, session: string): Record<string, unknown> {
  return {
    type: 'AssumedRole',
    principalId: `AROA${hex(rand, 17).toUpperCase()}:${session}`,
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
    accountId: account,
    accessKeyId: `ASIA${hex(rand, 16).toUpperCase()}`,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: `AROA${hex(rand, 17).toUpperCase()}`, arn: `arn:aws:iam::${account}:role/${role}`, accountId: account, userName: role },
      webIdFederationData: {},
      attributes: { creationDate: '2026-11-20T03:01:12Z', mfaAuthenticated: 'false' },
    },
  };
}

/** The object's cast: a few principals, each with its own identity, address and client, reused for all its calls. */
function cast(rand: Random, account: string): Principal[] {
  const principals: Principal[] = [];
  for (let n = 1 + Math.floor(rand() * 3); n > 0; n -= 1) {
    principals.push({ kind: 'node', identity: assumedRole(rand, account, 'eks-node-role', `i-${hex(rand, 17)}`), sourceIPAddress: ip(rand), userAgent: AGENTS.node, weight: 4 });
  }
  for (let n = 1 + Math.floor(rand() * 2); n > 0; n -= 1) {
    const role = pick(rand, ['orders-api', 'billing-worker', 'search-indexer']);
    principals.push({ kind: 'app', identity: assumedRole(rand, account, `${role}-task`, hex(rand, 32)), sourceIPAddress: ip(rand), userAgent: AGENTS.app, weight: 5 });
  }
  if (rand() < 0.6) principals.push({ kind: 'ci', identity: assumedRole(rand, account, 'ci-deploy', `gha-${hex(rand, 10)}`), sourceIPAddress: ip(rand), userAgent: AGENTS.ci, weight: 2 });
  if (rand() < 0.5) {
    const user = pick(rand, ['alice', 'bob', 'carol']);
    principals.push({ kind: 'person', identity: assumedRole(rand, account, 'AWSReservedSSO_Admin_0a1b2c', `${user}@example.com`), sourceIPAddress: ip(rand), userAgent: AGENTS.person, weight: 1 });
  }
  principals.push({
    kind: 'service',
    identity: { type: 'AWSService', invokedBy: pick(rand, ['ec2.amazonaws.com', 'lambda.amazonaws.com', 'config.amazonaws.com']) },
    sourceIPAddress: pick(rand, ['ec2.amazonaws.com', 'lambda.amazonaws.com', 'config.amazonaws.com']),
    userAgent: AGENTS.service,
    weight: 2,
  });
  return principals;
}

/** Resources an account's workloads keep using: the same keys and instances all through an object. */
interface Resources {
  readonly kmsKeys: readonly string[];
  readonly instances: readonly string[];
}

function requestFor(rand: Random, [source, name]: Call, account: string, region: string, stable: Resources): { request: unknown; response: unknown } {
  switch (name) {
    case 'DescribeInstances':
      return { request: { instancesSet: { items: [{ instanceId: pick(rand, stable.instances) }] }, filterSet: {} }, response: null };
    case 'Decrypt':
    case 'GenerateDataKey':
      return { request: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT', keyId: pick(rand, stable.kmsKeys) }, response: null };
    case 'GetSecretValue':
    case 'GetParameter':
      return { request: { [name === 'GetParameter' ? 'name' : 'secretId']: `/prod/${pick(rand, ['orders', 'billing', 'search'])}/db-password`, withDecryption: true }, response: null };
    case 'AssumeRole':
      return {
        request: { roleArn: `arn:aws:iam::${account}:role/${pick(rand, ['orders-api-task', 'config-recorder'])}`, roleSessionName: hex(rand, 16), durationSeconds: 3600 },
        response: { credentials: { accessKeyId: `ASIA${hex(rand, 16).toUpperCase()}`, sessionToken: hex(rand, 48), expiration: 'Nov 20, 2026, 4:01:12 AM' }, assumedRoleUser: { assumedRoleId: `AROA${hex(rand, 17).toUpperCase()}:${hex(rand, 16)}`, arn: `arn:aws:sts::${account}:assumed-role/orders-api-task/${hex(rand, 16)}` } },
      };
    case 'DescribeStacks':
    case 'DescribeStackEvents':
    case 'UpdateStack':
      return { request: { stackName: pick(rand, ['orders-prod', 'billing-prod', 'network']) }, response: name === 'UpdateStack' ? { stackId: `arn:aws:cloudformation:${region}:${account}:stack/orders-prod/${uuid(rand)}` } : null };
    case 'RunInstances':
      return {
        request: { instanceType: 'm6i.large', minCount: 1, maxCount: 1, imageId: `ami-${hex(rand, 17)}` },
        response: { instancesSet: { items: [{ instanceId: `i-${hex(rand, 17)}`, instanceState: { code: 0, name: 'pending' }, privateIpAddress: ip(rand) }] } },
      };
    case 'PutRolePolicy':
      return {
        request: { roleName: 'orders-api-task', policyName: 'inline', policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: `arn:aws:s3:::orders-${hex(rand, 8)}/*` }] }) },
        response: null,
      };
    case 'AuthorizeSecurityGroupIngress':
      return { request: { groupId: `sg-${hex(rand, 17)}`, ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, ipRanges: { items: [{ cidrIp: '10.0.0.0/8' }] } }] } }, response: { _return: true } };
    default:
      return source === 's3.amazonaws.com' || name.startsWith('Describe') || name.startsWith('List') ? { request: rand() < 0.5 ? null : { maxResults: 100 }, response: null } : { request: { resourceId: hex(rand, 12) }, response: null };
  }
}

function exportTask(rand: Random, account: string, region: string): { request: Record<string, unknown>; response: unknown } {
  const id = `export-${hex(rand, 10)}`;
  const sourceArn = `arn:aws:rds:${region}:${account}:snapshot:orders-prod-${hex(rand, 6)}`;
  const request = { exportTaskIdentifier: id, sourceArn, s3BucketName: 'corp-exports', s3Prefix: 'nightly', iamRoleArn: `arn:aws:iam::${account}:role/rds-s3-export`, kmsKeyId: `arn:aws:kms:${region}:${account}:key/${uuid(rand)}` };
  return { request, response: { ...request, snapshotTime: 'Nov 20, 2026 3:00:05 AM', status: 'STARTING', percentProgress: 0, sourceType: 'SNAPSHOT' } };
}

/** Records in object `index`: 100–1,000, log-normal around 300. */
export function realisticRecordCount(seed: number, index: number): number {
  const rand = prng(seed ^ Math.imul(index + 7, 0x85ebca6b));
  // Box–Muller: a normal draw, then exp(ln 300 + 0.55 z), clamped.
  const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return Math.max(100, Math.min(1000, Math.round(Math.exp(Math.log(300) + 0.55 * z))));
}

export function generateRealisticObject(seed: number, index: number, account: string, region: string, startMs: number): GeneratedObject {
  const rand = prng(seed ^ Math.imul(index + 1, 0x9e3779b1));
  const principals = cast(rand, account);
  const resources: Resources = {
    kmsKeys: Array.from({ length: 3 }, () => `arn:aws:kms:${region}:${account}:key/${uuid(rand)}`),
    instances: Array.from({ length: 8 }, () => `i-${hex(rand, 17)}`),
  };
  const totalWeight = principals.reduce((sum, principal) => sum + principal.weight, 0);
  const count = realisticRecordCount(seed, index);
  const parts: string[] = [];
  let matches = 0;
  for (let n = 0; n < count; n += 1) {
    let w = rand() * totalWeight;
    const principal = principals.find((candidate) => (w -= candidate.weight) < 0) ?? (principals[0] as Principal);
    const roll = rand();
    let call: Call;
    let body: { request: unknown; response: unknown };
    let error: Record<string, string> = {};
    if (roll < 1e-4) {
      call = ['rds.amazonaws.com', 'StartExportTask', false];
      body = exportTask(rand, account, region);
      matches += 1;
    } else if (roll < 1.5e-4) {
      call = ['rds.amazonaws.com', 'StartExportTask', false];
      body = { request: exportTask(rand, account, region).request, response: null };
      error = { errorCode: 'AccessDenied', errorMessage: `User: ${String(principal.identity.arn ?? 'unknown')} is not authorized to perform: rds:StartExportTask` };
    } else {
      const writes = rand() < 0.02 ? RARE_WRITES : WRITES;
      call = roll < 0.04 && principal.kind !== 'service' ? pick(rand, writes) : pick(rand, READS[principal.kind] as readonly Call[]);
      body = requestFor(rand, call, account, region, resources);
      if (rand() < 0.03) error = { errorCode: pick(rand, ['AccessDenied', 'ThrottlingException', 'ResourceNotFoundException']), errorMessage: 'Rate exceeded' };
    }
    const [eventSource, eventName, readOnly] = call;
    const time = new Date(startMs + Math.floor((n / count) * 300_000)).toISOString().replace(/\.\d+Z$/, 'Z');
    const record = {
      eventVersion: '1.09',
      userIdentity: principal.identity,
      eventTime: time,
      eventSource,
      eventName,
      awsRegion: region,
      sourceIPAddress: principal.sourceIPAddress,
      userAgent: principal.userAgent,
      ...error,
      requestParameters: body.request,
      responseElements: Object.keys(error).length > 0 ? null : body.response,
      requestID: uuid(rand),
      eventID: uuid(rand),
      readOnly,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: account,
      eventCategory: 'Management',
      ...(principal.kind === 'service' ? {} : { tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `${eventSource.split('.')[0]}.${region}.amazonaws.com` } }),
    };
    parts.push(JSON.stringify(record));
  }
  return { text: `{"Records":[${parts.join(',')}]}`, records: parts.length, matches };
}

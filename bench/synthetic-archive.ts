/**
 * A deterministic synthetic CloudTrail archive for the scan benchmark: gzipped log objects in CloudTrail's key layout
 * (`AWSLogs/<acct>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<acct>_CloudTrail_<region>_<stamp>_<rand>.json.gz`), about
 * one successful RDS StartExportTask per 10,000 records. Two profiles:
 * - `realistic` (realistic-trail.ts): objects of 100–1,000 records (median about 300), a few principals repeating
 *   mostly read-only calls, as production trails are;
 * - `big-objects` (below): objects of 2–5 MB (1,300–3,300 records), varied services and identities, as many writes
 *   as reads and payloads up to large policy documents: the stress case for per-object work and alert volume.
 * Object `i` depends only on the seed, the profile and `i`, so a smaller archive is a prefix of a larger one;
 * archives are cached under the temp dir, keyed by profile, generator version and size.
 */
import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateRealisticObject, type GeneratedObject } from './realistic-trail';
import { hex, pick, prng, uuid, type Random } from './synthetic-random';

export type ArchiveProfile = 'realistic' | 'big-objects';
/** Bumped whenever a profile's output changes, so that a stale cached archive is never reused. */
export const GENERATOR_VERSION: Readonly<Record<ArchiveProfile, number>> = { realistic: 1, 'big-objects': 3 };
const SEED = 0x5eed_c7d;

export interface Archive {
  readonly profile: ArchiveProfile;
  readonly dir: string;
  readonly objects: number;
  readonly records: number;
  readonly uncompressedBytes: number;
  readonly compressedBytes: number;
  /** Successful rds StartExportTask records: what the seed rule must alert on. */
  readonly expectedMatches: number;
  /** Records per object: smallest, median, largest. */
  readonly objectRecords: { readonly min: number; readonly median: number; readonly max: number };
  /** Median size of a gzipped object, in bytes. */
  readonly medianGzBytes: number;
}

interface ObjectManifest {
  readonly path: string;
  readonly records: number;
  readonly bytes: number;
  readonly gzBytes: number;
  readonly matches: number;
}

const ACCOUNTS = ['123456789012', '210987654321', '555566667777'];
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2'];
const SERVICES: readonly (readonly [string, readonly string[], number])[] = [
  // [eventSource, eventNames, weight]
  ['s3.amazonaws.com', ['GetBucketAcl', 'ListBuckets', 'GetBucketLocation', 'PutBucketPolicy', 'GetBucketPolicy'], 10],
  ['sts.amazonaws.com', ['AssumeRole', 'GetCallerIdentity', 'AssumeRoleWithWebIdentity'], 14],
  ['ec2.amazonaws.com', ['DescribeInstances', 'DescribeSecurityGroups', 'RunInstances', 'CreateTags', 'DescribeVolumes', 'AuthorizeSecurityGroupIngress'], 16],
  ['kms.amazonaws.com', ['Decrypt', 'GenerateDataKey', 'Encrypt', 'DescribeKey'], 14],
  ['iam.amazonaws.com', ['GetRole', 'ListRoles', 'PutRolePolicy', 'CreateRole', 'ListAttachedRolePolicies', 'GetPolicyVersion'], 6],
  ['lambda.amazonaws.com', ['Invoke', 'GetFunction', 'ListFunctions20150331', 'UpdateFunctionCode20150331v2'], 6],
  ['rds.amazonaws.com', ['DescribeDBInstances', 'DescribeDBClusters', 'CreateDBSnapshot', 'DescribeExportTasks', 'ModifyDBSnapshotAttribute'], 5],
  ['logs.amazonaws.com', ['CreateLogStream', 'DescribeLogGroups', 'PutRetentionPolicy'], 8],
  ['dynamodb.amazonaws.com', ['DescribeTable', 'ListTables', 'UpdateTable'], 5],
  ['cloudformation.amazonaws.com', ['DescribeStacks', 'ListStacks', 'CreateStack'], 4],
  ['secretsmanager.amazonaws.com', ['GetSecretValue', 'DescribeSecret'], 4],
  ['signin.amazonaws.com', ['ConsoleLogin'], 1],
  ['ecr.amazonaws.com', ['GetAuthorizationToken', 'BatchGetImage', 'GetDownloadUrlForLayer'], 7],
];
const TOTAL_WEIGHT = SERVICES.reduce((sum, [, , weight]) => sum + weight, 0);
const AGENTS = [
  'aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.amzn.2023 prompt/off',
  'Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.51',
  'aws-sdk-java/2.21.10 Linux/5.10.205 OpenJDK_64-Bit_Server_VM/17.0.9+8-LTS Java/17.0.9 vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/legacy',
  'AWS Internal',
  'console.amazonaws.com',
  'aws-sdk-go-v2/1.24.1 os/linux lang/go#1.21.5 md/GOOS#linux md/GOARCH#amd64 api/kms#1.27.9',
];
const ROLES = ['DataEngineer', 'Admin', 'ci-deploy', 'eks-node-role', 'lambda-exec-orders', 'ReadOnly', 'rds-s3-export'];
const USERS = ['alice', 'bob', 'svc-backup', 'terraform', 'carol'];




function identity(rand: Random, account: string): Record<string, unknown> {
  const roll = rand();
  if (roll < 0.6) {
    const role = pick(rand, ROLES);
    const session = rand() < 0.5 ? `${pick(rand, USERS)}@example.com` : `${hex(rand, 16)}`;
    return {
      type: 'AssumedRole',
      principalId: `AROA${hex(rand, 17).toUpperCase()}:${session}`,
      arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
      accountId: account,
      accessKeyId: `ASIA${hex(rand, 16).toUpperCase()}`,
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: `AROA${hex(rand, 17).toUpperCase()}`, arn: `arn:aws:iam::${account}:role/${role}`, accountId: account, userName: role },
        webIdFederationData: {},
        attributes: { creationDate: '2026-11-20T03:01:12Z', mfaAuthenticated: rand() < 0.2 ? 'true' : 'false' },
      },
    };
  }
  if (roll < 0.8) {
    const user = pick(rand, USERS);
    return { type: 'IAMUser', principalId: `AIDA${hex(rand, 17).toUpperCase()}`, arn: `arn:aws:iam::${account}:user/${user}`, accountId: account, accessKeyId: `AKIA${hex(rand, 16).toUpperCase()}`, userName: user };
  }
  if (roll < 0.98) return { type: 'AWSService', invokedBy: pick(rand, ['ec2.amazonaws.com', 'lambda.amazonaws.com', 'cloudformation.amazonaws.com', 'backup.amazonaws.com']) };
  return { type: 'Root', principalId: account, arn: `arn:aws:iam::${account}:root`, accountId: account, accessKeyId: `ASIA${hex(rand, 16).toUpperCase()}` };
}

function payload(rand: Random, eventName: string, account: string, region: string): { request: unknown; response: unknown } {
  const size = rand();
  if (size < 0.25) return { request: null, response: null };
  if (size < 0.7) {
    return { request: { [`${eventName.charAt(0).toLowerCase()}${eventName.slice(1, 6)}Id`]: hex(rand, 12), maxResults: 100 }, response: null };
  }
  if (size < 0.93) {
    const items = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => ({ key: pick(rand, ['Name', 'Team', 'Env', 'CostCenter']), value: hex(rand, 10) }));
    return {
      request: { resourceArn: `arn:aws:${eventName.length % 2 ? 'ec2' : 'dynamodb'}:${region}:${account}:resource/${hex(rand, 17)}`, filterSet: { items }, includeAll: rand() < 0.5 },
      response: { requestId: uuid(rand), resultSet: { items: items.map((item) => ({ ...item, id: hex(rand, 17), state: { code: 16, name: 'running' } })) } },
    };
  }
  // A large one: a policy document as an escaped JSON string, and a long list.
  const statements = Array.from({ length: 2 + Math.floor(rand() * 12) }, (_, n) => ({
    Sid: `Stmt${n}${hex(rand, 6)}`,
    Effect: rand() < 0.9 ? 'Allow' : 'Deny',
    Action: Array.from({ length: 1 + Math.floor(rand() * 8) }, () => `${pick(rand, ['s3', 'kms', 'ec2', 'rds'])}:${pick(rand, ['Get*', 'List*', 'Describe*', 'PutObject', 'Decrypt'])}`),
    Resource: `arn:aws:s3:::bucket-${hex(rand, 8)}/*`,
  }));
  return {
    request: { policyName: `policy-${hex(rand, 6)}`, roleName: pick(rand, ROLES), policyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) },
    response: { items: Array.from({ length: Math.floor(rand() * 40) }, () => ({ id: `i-${hex(rand, 17)}`, type: 'm5.large', tags: [{ key: 'Name', value: hex(rand, 12) }] })) },
  };
}

function exportTask(rand: Random, account: string, region: string): { request: unknown; response: unknown } {
  const id = `export-${hex(rand, 10)}`;
  const sourceArn = `arn:aws:rds:${region}:${account}:snapshot:orders-prod-${hex(rand, 6)}`;
  const common = { exportTaskIdentifier: id, sourceArn, s3BucketName: 'corp-exports', s3Prefix: 'nightly', iamRoleArn: `arn:aws:iam::${account}:role/rds-s3-export`, kmsKeyId: `arn:aws:kms:${region}:${account}:key/${uuid(rand)}` };
  return { request: common, response: { ...common, snapshotTime: 'Nov 20, 2026 3:00:05 AM', status: 'STARTING', percentProgress: 0, sourceType: 'SNAPSHOT' } };
}

/** One log object of the big-objects profile; `matches` counts its successful StartExportTask records. */
function generateBigObject(index: number, targetBytes: number): GeneratedObject {
  const rand = prng(SEED ^ Math.imul(index + 1, 0x9e3779b1));
  const account = ACCOUNTS[index % ACCOUNTS.length] as string;
  const region = REGIONS[Math.floor(index / ACCOUNTS.length) % REGIONS.length] as string;
  const base = Date.UTC(2026, 10, 1) + index * 5 * 60 * 1000;
  const parts: string[] = [];
  let bytes = 14;
  let matches = 0;
  while (bytes < targetBytes) {
    const time = new Date(base + Math.floor(rand() * 300_000)).toISOString().replace(/\.\d+Z$/, 'Z');
    const roll = rand();
    let eventSource: string;
    let eventName: string;
    let body: { request: unknown; response: unknown };
    let error: Record<string, string> = {};
    if (roll < 1e-4) {
      [eventSource, eventName] = ['rds.amazonaws.com', 'StartExportTask'];
      body = exportTask(rand, account, region);
      matches += 1;
    } else if (roll < 1.5e-4) {
      // A failed export: same event, not a match.
      [eventSource, eventName] = ['rds.amazonaws.com', 'StartExportTask'];
      body = { request: exportTask(rand, account, region).request, response: null };
      error = { errorCode: 'AccessDenied', errorMessage: 'User is not authorized to perform: rds:StartExportTask' };
    } else {
      let w = rand() * TOTAL_WEIGHT;
      let service = SERVICES[0] as (typeof SERVICES)[number];
      for (const entry of SERVICES) {
        w -= entry[2];
        if (w < 0) {
          service = entry;
          break;
        }
      }
      eventSource = service[0];
      eventName = pick(rand, service[1]);
      body = payload(rand, eventName, account, region);
      if (rand() < 0.04) error = { errorCode: pick(rand, ['AccessDenied', 'Client.UnauthorizedOperation', 'ThrottlingException']), errorMessage: 'User is not authorized to perform this operation' };
    }
    const readOnly = /^(Get|List|Describe)/.test(eventName);
    const record = {
      eventVersion: '1.09',
      userIdentity: identity(rand, account),
      eventTime: time,
      eventSource,
      eventName,
      awsRegion: region,
      sourceIPAddress: rand() < 0.3 ? `${eventSource}` : `${Math.floor(rand() * 223) + 1}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}`,
      userAgent: pick(rand, AGENTS),
      ...error,
      requestParameters: body.request,
      responseElements: body.response,
      requestID: uuid(rand),
      eventID: uuid(rand),
      readOnly,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: account,
      eventCategory: 'Management',
      tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `${eventSource.split('.')[0]}.${region}.amazonaws.com` },
    };
    const text = JSON.stringify(record);
    parts.push(text);
    bytes += text.length + 1;
  }
  return { text: `{"Records":[${parts.join(',')}]}`, records: parts.length, matches };
}

function bigObjectTarget(index: number): number {
  // 2–5 MB uncompressed, deterministic per object.
  return 2_000_000 + Math.floor(prng(SEED + index)() * 3_000_000);
}

/** CloudTrail writes one object per account and region about every five minutes. */
const OBJECT_INTERVAL_MS = 5 * 60 * 1000;

function generate(profile: ArchiveProfile, index: number, account: string, region: string, start: Date): GeneratedObject {
  return profile === 'realistic' ? generateRealisticObject(SEED, index, account, region, start.getTime()) : generateBigObject(index, bigObjectTarget(index));
}

/** Where object `index` sits in an archive: its account, region and the start of its five minutes. */
function placeOf(index: number): { account: string; region: string; start: Date } {
  return {
    account: ACCOUNTS[index % ACCOUNTS.length] as string,
    region: REGIONS[Math.floor(index / ACCOUNTS.length) % REGIONS.length] as string,
    start: new Date(Date.UTC(2026, 10, 1) + index * OBJECT_INTERVAL_MS),
  };
}

/**
 * Object `index` of an archive of the profile, as buildArchive writes it (for benches that replay records in memory);
 * `bigObjectBytes` makes a big-objects profile object smaller than the archive's 2–5 MB.
 */
export function archiveObject(profile: ArchiveProfile, index: number, bigObjectBytes?: number): GeneratedObject {
  const { account, region, start } = placeOf(index);
  if (profile === 'big-objects' && bigObjectBytes !== undefined) return generateBigObject(index, bigObjectBytes);
  return generate(profile, index, account, region, start);
}

/** Builds (or reuses) an archive of the profile with at least `megabytes` MB of uncompressed JSON. */
export function buildArchive(profile: ArchiveProfile, megabytes: number, log: (line: string) => void): Archive {
  const root = join(tmpdir(), 'ctsd-bench-archive');
  const family = `${profile}-v${GENERATOR_VERSION[profile]}-`;
  const dir = join(root, `${family}${megabytes}MB`);
  const manifestPath = join(dir, 'manifest.json');
  if (existsSync(manifestPath)) return summarize(profile, dir, JSON.parse(readFileSync(manifestPath, 'utf8')) as ObjectManifest[]);
  rmSync(dir, { recursive: true, force: true });
  const data = join(dir, 'data');
  // Objects of a smaller cached archive of the same profile and version are reused (hard links): object i is the same everywhere.
  const siblings = existsSync(root) ? readdirSync(root).filter((name) => name.startsWith(family) && existsSync(join(root, name, 'manifest.json'))) : [];
  const reusable = new Map<string, ObjectManifest>();
  for (const sibling of siblings) {
    for (const entry of JSON.parse(readFileSync(join(root, sibling, 'manifest.json'), 'utf8')) as ObjectManifest[]) {
      if (!reusable.has(entry.path)) reusable.set(entry.path, { ...entry, path: join(root, sibling, 'data', entry.path) });
    }
  }
  log(`generating a ${megabytes} MB synthetic archive (${profile}) in ${dir} ...`);
  const manifest: ObjectManifest[] = [];
  let total = 0;
  for (let index = 0; total < megabytes * 1_000_000; index += 1) {
    // The key needs the object's metadata, which only generation gives; cheap enough to redo for a reused object.
    const rand = prng(SEED * 7 + index);
    const { account, region, start } = placeOf(index);
    const stamp = start.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').slice(0, 13) + 'Z';
    const [yyyy, mm, dd] = start.toISOString().slice(0, 10).split('-') as [string, string, string];
    const path = `AWSLogs/${account}/CloudTrail/${region}/${yyyy}/${mm}/${dd}/${account}_CloudTrail_${region}_${stamp}_${hex(rand, 16)}.json.gz`;
    const absolute = join(data, path);
    mkdirSync(dirname(absolute), { recursive: true });
    const previous = reusable.get(path);
    if (previous !== undefined) {
      linkSync(previous.path, absolute);
      manifest.push({ ...previous, path });
      total += previous.bytes;
      continue;
    }
    const object = generate(profile, index, account, region, start);
    const gz = gzipSync(object.text, { level: 6 });
    writeFileSync(absolute, gz);
    manifest.push({ path, records: object.records, bytes: Buffer.byteLength(object.text), gzBytes: gz.length, matches: object.matches });
    total += Buffer.byteLength(object.text);
  }
  writeFileSync(`${manifestPath}.tmp`, JSON.stringify(manifest));
  renameSync(`${manifestPath}.tmp`, manifestPath); // the manifest marks a complete archive
  return summarize(profile, dir, manifest);
}

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
}

function summarize(profile: ArchiveProfile, dir: string, manifest: readonly ObjectManifest[]): Archive {
  const records = manifest.map((entry) => entry.records);
  return {
    profile,
    dir: join(dir, 'data'),
    objects: manifest.length,
    records: records.reduce((sum, count) => sum + count, 0),
    uncompressedBytes: manifest.reduce((sum, entry) => sum + entry.bytes, 0),
    compressedBytes: manifest.reduce((sum, entry) => sum + entry.gzBytes, 0),
    expectedMatches: manifest.reduce((sum, entry) => sum + entry.matches, 0),
    objectRecords: { min: Math.min(...records), median: median(records), max: Math.max(...records) },
    medianGzBytes: median(manifest.map((entry) => entry.gzBytes)),
  };
}

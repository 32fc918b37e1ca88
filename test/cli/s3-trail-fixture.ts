import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { startExportTaskRecord } from '../support/cloudtrail-records';
import { LOCAL_S3_CREDENTIALS } from '../support/local-s3';

/** A log folder of the synthetic trail: account (maybe inside an organization), region, day. */
interface LogFolder {
  readonly organization?: string;
  readonly account: string;
  readonly region: string;
  readonly day: string; // YYYY-MM-DD
}

export const ORGANIZATION = 'o-a1b2c3d4e5';
const FOLDERS: readonly LogFolder[] = [
  { account: '111111111111', region: 'us-east-1', day: '2026-11-18' },
  { account: '111111111111', region: 'us-east-1', day: '2026-11-19' },
  { account: '111111111111', region: 'us-east-1', day: '2026-11-20' },
  { account: '111111111111', region: 'eu-west-1', day: '2026-11-19' },
  { account: '111111111111', region: 'eu-west-1', day: '2026-11-21' },
  { account: '222222222222', region: 'us-east-1', day: '2026-11-20' },
  { account: '222222222222', region: 'ap-southeast-2', day: '2026-11-19' },
  { organization: ORGANIZATION, account: '333333333333', region: 'us-east-1', day: '2026-11-19' },
  { organization: ORGANIZATION, account: '333333333333', region: 'us-west-2', day: '2026-11-20' },
  { organization: ORGANIZATION, account: '444444444444', region: 'eu-west-1', day: '2026-10-31' },
  { organization: ORGANIZATION, account: '444444444444', region: 'eu-west-1', day: '2026-11-19' },
];

const FILES_PER_FOLDER = 2;

/** eventID of the alerting record in a file: encodes where it lives, so tests can tell what was read. */
export function alertEventId(folder: LogFolder, file: number): string {
  return `export-${folder.account}-${folder.region}-${folder.day}-${file}`;
}

/**
 * A synthetic bucket: per folder two gzipped logs (each with one StartExportTask that alerts, one failed export and
 * one unrelated call), a digest per account and day, and one Insight object. Keys follow CloudTrail's naming.
 */
export function syntheticTrail(): { objects: Record<string, Uint8Array>; alertIds: (filter?: (folder: LogFolder) => boolean) => string[] } {
  const objects: Record<string, Uint8Array> = {};
  for (const folder of FOLDERS) {
    const [y, m, d] = folder.day.split('-') as [string, string, string];
    const root = `AWSLogs/${folder.organization ? `${folder.organization}/` : ''}${folder.account}`;
    for (let file = 0; file < FILES_PER_FOLDER; file += 1) {
      const eventTime = `${folder.day}T0${file}:15:42Z`;
      const base = { recipientAccountId: folder.account, awsRegion: folder.region, eventTime };
      const records = [
        startExportTaskRecord({ ...base, eventID: alertEventId(folder, file) }),
        startExportTaskRecord({ ...base, eventID: `failed-${alertEventId(folder, file)}`, errorCode: 'AccessDenied', responseElements: null }),
        { ...base, eventVersion: '1.09', eventSource: 's3.amazonaws.com', eventName: 'ListBuckets', eventID: `other-${alertEventId(folder, file)}` },
      ];
      const name = `${folder.account}_CloudTrail_${folder.region}_${y}${m}${d}T0${file}15Z_abcdEFGH${file}.json.gz`;
      objects[`${root}/CloudTrail/${folder.region}/${y}/${m}/${d}/${name}`] = gzipSync(JSON.stringify({ Records: records }));
    }
    const digest = `${folder.account}_CloudTrail-Digest_${folder.region}_trail_${folder.region}_${y}${m}${d}T010000Z.json.gz`;
    objects[`${root}/CloudTrail-Digest/${folder.region}/${y}/${m}/${d}/${digest}`] = gzipSync(
      JSON.stringify({ awsAccountId: folder.account, digestStartTime: `${folder.day}T00:00:00Z`, digestEndTime: `${folder.day}T01:00:00Z`, logFiles: [] }),
    );
  }
  objects['AWSLogs/111111111111/CloudTrail-Insight/us-east-1/2026/11/20/111111111111_CloudTrail-Insight_us-east-1_20261120T0000Z_x.json.gz'] = gzipSync(
    JSON.stringify({ Records: [startExportTaskRecord({ eventID: 'insight-must-not-be-read' })] }),
  );
  const alertIds = (filter: (folder: LogFolder) => boolean = () => true): string[] =>
    FOLDERS.filter(filter).flatMap((folder) => Array.from({ length: FILES_PER_FOLDER }, (_, file) => alertEventId(folder, file)));
  return { objects, alertIds };
}

export async function uploadObjects(endpoint: string, bucket: string, objects: Record<string, Uint8Array>): Promise<void> {
  const client = new S3Client({ endpoint, region: 'us-east-1', credentials: LOCAL_S3_CREDENTIALS });
  try {
    for (const [key, body] of Object.entries(objects)) await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  } finally {
    client.destroy();
  }
}

/** One request that went through the proxy. */
export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
}

/**
 * An HTTP proxy in front of s3rver that records every request (Host is passed through, so SigV4 signatures stay
 * valid). `delayMs` slows each GetObject, to have a scan in flight for the Ctrl-C test.
 *
 * s3rver's filesystem store answers ListObjectsV2 with Delimiter '/' wrongly below the first level (it stops walking
 * at nested folders, so CommonPrefixes come back empty), unlike S3. For the bucket in `folders`, the proxy answers
 * correctly signed delimiter listings itself, computing CommonPrefixes and Contents from the bucket's full key list
 * the way S3 does; the request is still recorded like any other.
 */
export async function startCountingProxy(
  target: string,
  options: { delayMs?: number; folders?: { bucket: string; listKeys: (prefix: string) => Promise<string[]> } } = {},
): Promise<{
  endpoint: string;
  requests: ProxiedRequest[];
  listRequests: () => ProxiedRequest[];
  getRequests: () => ProxiedRequest[];
  /** Most GetObject requests open at the same time. */
  maxConcurrentGets: () => number;
  stop: () => Promise<void>;
}> {
  const targetUrl = new URL(target);
  const requests: ProxiedRequest[] = [];
  let openGets = 0;
  let maxOpenGets = 0;
  const server: Server = createServer((incoming: IncomingMessage, outgoing) => {
    const url = new URL(incoming.url ?? '/', 'http://proxy');
    const entry = { method: incoming.method ?? 'GET', path: decodeURIComponent(url.pathname), query: url.searchParams };
    requests.push(entry);
    const isGet = entry.method === 'GET' && !url.searchParams.has('list-type') && entry.path.split('/').length > 2;
    if (isGet) {
      openGets += 1;
      maxOpenGets = Math.max(maxOpenGets, openGets);
      outgoing.on('close', () => (openGets -= 1));
    }
    const forward = (): void => {
      const upstream = request(
        { host: targetUrl.hostname, port: targetUrl.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
        (response) => {
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outgoing);
        },
      );
      upstream.on('error', () => outgoing.destroy());
      incoming.pipe(upstream);
    };
    const folders = options.folders;
    const signedByS3rver = (incoming.headers.authorization ?? '').includes('Credential=S3RVER/');
    if (folders && url.searchParams.get('list-type') === '2' && url.searchParams.get('delimiter') === '/' && entry.path.replace(/\/$/, '') === `/${folders.bucket}` && signedByS3rver) {
      const prefix = url.searchParams.get('prefix') ?? '';
      folders.listKeys(prefix).then(
        (keys) => {
          outgoing.writeHead(200, { 'content-type': 'application/xml' });
          outgoing.end(delimiterListing(folders.bucket, prefix, keys));
        },
        () => outgoing.destroy(),
      );
      return;
    }
    if (isGet && options.delayMs) setTimeout(forward, options.delayMs);
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const isList = (r: ProxiedRequest): boolean => r.method === 'GET' && r.query.get('list-type') === '2';
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    listRequests: () => requests.filter(isList),
    getRequests: () => requests.filter((r) => r.method === 'GET' && !isList(r) && r.path.split('/').length > 2),
    maxConcurrentGets: () => maxOpenGets,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A ListObjectsV2 answer with Delimiter '/', as S3 gives it (one page). */
function delimiterListing(bucket: string, prefix: string, keys: readonly string[]): string {
  const folders = new Set<string>();
  const objects: string[] = [];
  for (const key of [...keys].sort()) {
    if (!key.startsWith(prefix)) continue;
    const slash = key.indexOf('/', prefix.length);
    if (slash === -1) objects.push(key);
    else folders.add(key.slice(0, slash + 1));
  }
  const xml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
    `<Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix><Delimiter>/</Delimiter><MaxKeys>1000</MaxKeys>`,
    `<KeyCount>${objects.length + folders.size}</KeyCount><IsTruncated>false</IsTruncated>`,
    ...objects.map((key) => `<Contents><Key>${xml(key)}</Key><Size>0</Size><StorageClass>STANDARD</StorageClass></Contents>`),
    ...[...folders].map((folder) => `<CommonPrefixes><Prefix>${xml(folder)}</Prefix></CommonPrefixes>`),
    '</ListBucketResult>',
  ].join('');
}

/** Environment for a scan against a local S3 endpoint: s3rver's credentials, and nothing from the user's AWS files. */
export function localS3Environment(endpoint: string): Record<string, string | undefined> {
  return {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_SESSION_TOKEN: undefined,
    AWS_REGION: 'us-east-1',
    AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  };
}

import { createHash, randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { isAllowed, type PolicyDocument } from './iam-policy';
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from './local-s3';

/**
 * s3rver 3.7.1 ignores `If-None-Match` and `If-Match` on PutObject (it only honours If-None-Match on GET, as a
 * 304): a conditional put simply overwrites. Real S3 has evaluated both on PUT since 2024, and the alert delivery's
 * exactly-once protocol rests on them. So tests put this small HTTP front before s3rver. It forwards every request
 * byte for byte (the SigV4 signature still verifies: the Host header is passed on unchanged) and, for a PutObject
 * carrying a condition, evaluates it the way S3 does, atomically per key:
 *
 * - `If-None-Match: *` on an existing key → 412 PreconditionFailed
 * - `If-Match: <etag>` on an object with another ETag → 412 PreconditionFailed; on a missing key → 404 NoSuchKey
 *
 * "Atomically": conditional puts to one key are serialised (check, then forward the write, then release), so two
 * concurrent `If-None-Match: *` puts cannot both succeed. Real S3 answers 409 ConditionalRequestConflict when a
 * write races a conditional write in flight; here the lock makes that race impossible, so `conflictNext` injects it.
 * `failNext` injects server errors (500 InternalError, which the SDK retries) for S3-failure tests.
 *
 * A GET or HEAD of a missing key is answered as S3 answers the caller: 404 NoSuchKey only when the caller may
 * `s3:ListBucket` on the bucket, else 403 AccessDenied (S3 will not tell a caller who may not list the bucket whether a
 * key exists). s3rver answers 404 to everyone, which hid that a role without s3:ListBucket cannot tell "absent" from
 * "denied". The caller's permissions are `callerPolicies`, the identity policies of the role as synthesized
 * (`rolePolicies`, test/support/iam-policy.ts); none given means a caller with object permissions only, like the
 * detector's role. The implicit check is evaluated as IAM evaluates it for that request: a GET carries no
 * `s3:prefix`, so an `s3:ListBucket` granted only under an `s3:prefix` condition does not turn the 403 into a 404
 * (AWS does not document this case; the front takes the stricter reading, and the detector relies on neither).
 */

export interface S3RequestRecord {
  readonly method: string;
  readonly key: string;
  readonly ifNoneMatch?: string;
  readonly ifMatch?: string;
  readonly status: number;
}

export interface InjectedS3Failure {
  readonly method?: 'GET' | 'PUT' | 'HEAD' | 'DELETE';
  /** Only requests whose condition header is of this kind ('none' = unconditional). */
  readonly condition?: 'if-none-match' | 'if-match' | 'none';
  /** Only requests for keys starting with this (e.g. `alerts/`, to fail an alert's claim but not its suppression window). */
  readonly keyPrefix?: string;
}

export interface ConditionalLocalS3 extends LocalS3 {
  /** s3rver itself, without the front: for showing what it does on its own. */
  readonly s3rverEndpoint: string;
  /** Every object request that reached the front (bucket-level requests such as listing are left out). */
  readonly requests: readonly S3RequestRecord[];
  /** Answers the next `count` matching requests with 500 InternalError (the SDK retries these: 3 attempts by default). */
  failNext(count: number, match?: InjectedS3Failure): void;
  /** Answers the next `count` matching requests with 409 ConditionalRequestConflict, as S3 does for a racing write. */
  conflictNext(count: number, match?: InjectedS3Failure): void;
  clearRequests(): void;
}

interface PendingInjection {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly match: InjectedS3Failure;
}

export interface ConditionalS3Options {
  /** The caller's identity policies, resolved for the local bucket (default: none, so no s3:ListBucket). */
  readonly callerPolicies?: readonly PolicyDocument[];
}

export async function startConditionalS3(bucket = 'alert-archive-test', options: ConditionalS3Options = {}): Promise<ConditionalLocalS3> {
  const callerPolicies = options.callerPolicies ?? [];
  const backend = await startLocalS3(bucket);
  const backendUrl = new URL(backend.endpoint);
  const agent = new Agent({ keepAlive: true });
  const headClient = new S3Client({ endpoint: backend.endpoint, region: 'us-east-1', credentials: LOCAL_S3_CREDENTIALS });
  const locks = new Map<string, Promise<void>>();
  const requests: S3RequestRecord[] = [];
  let injections: PendingInjection[] = [];

  const withKeyLock = async <T>(lockKey: string, work: () => Promise<T>): Promise<T> => {
    const previous = locks.get(lockKey) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const chained = previous.then(() => current);
    locks.set(lockKey, chained);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (locks.get(lockKey) === chained) locks.delete(lockKey);
    }
  };

  const server = createServer((incoming, response) => {
    handle(incoming, response).catch((error: unknown) => {
      if (!response.headersSent) sendS3Error(response, 500, 'InternalError', `Conditional front failed: ${String(error)}`, '');
      else response.destroy();
    });
  });

  async function handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(incoming);
    const url = new URL(incoming.url ?? '/', 'http://front');
    const [, bucketName = '', ...keyParts] = url.pathname.split('/');
    const key = decodeURIComponent(keyParts.join('/'));
    const method = incoming.method ?? 'GET';
    const ifNoneMatch = header(incoming, 'if-none-match');
    const ifMatch = header(incoming, 'if-match');
    const isObjectRequest = key !== '';
    const record = (status: number) => {
      if (isObjectRequest) requests.push({ method, key, ...(ifNoneMatch ? { ifNoneMatch } : {}), ...(ifMatch ? { ifMatch } : {}), status });
    };

    if (isObjectRequest) {
      const condition = ifNoneMatch !== undefined ? 'if-none-match' : ifMatch !== undefined ? 'if-match' : 'none';
      const index = injections.findIndex(
        (injection) =>
          (injection.match.method === undefined || injection.match.method === method) &&
          (injection.match.condition === undefined || injection.match.condition === condition) &&
          (injection.match.keyPrefix === undefined || key.startsWith(injection.match.keyPrefix)),
      );
      if (index >= 0) {
        const [injection] = injections.splice(index, 1);
        record(injection.status);
        return sendS3Error(response, injection.status, injection.code, injection.message, incoming.url ?? '');
      }
    }

    // GetObject / HeadObject (the SDK adds `x-id`); not sub-resources such as `?acl` or `?tagging`.
    const isObjectRead = (method === 'GET' || method === 'HEAD') && isObjectRequest && [...url.searchParams.keys()].every((name) => name === 'x-id');
    if (isObjectRead && (await headEtag(bucketName, key)) === undefined && !isAllowed(callerPolicies, 's3:ListBucket', `arn:aws:s3:::${bucketName}`)) {
      record(403);
      return sendS3Error(response, 403, 'AccessDenied', 'Access Denied', incoming.url ?? '', undefined, method === 'HEAD');
    }

    const isConditionalPut = method === 'PUT' && isObjectRequest && (ifNoneMatch !== undefined || ifMatch !== undefined) && !url.search.includes('uploadId');
    if (!isConditionalPut) {
      // Object reads and writes take the key's lock too: s3rver writes an object's file in place, so a read racing
      // a write could see half of it, where S3 shows the old object or the new one, never a mix.
      const send = () => forward(incoming, body, response);
      const status = isObjectRequest ? await withKeyLock(`${bucketName}/${key}`, send) : await send();
      record(status);
      return;
    }

    await withKeyLock(`${bucketName}/${key}`, async () => {
      const currentEtag = await headEtag(bucketName, key);
      if (ifNoneMatch !== undefined && ifNoneMatch.trim() === '*' && currentEtag !== undefined) {
        record(412);
        return sendS3Error(response, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', incoming.url ?? '', 'If-None-Match');
      }
      if (ifMatch !== undefined) {
        if (currentEtag === undefined) {
          record(404);
          return sendS3Error(response, 404, 'NoSuchKey', 'The specified key does not exist.', incoming.url ?? '');
        }
        const wanted = ifMatch.split(',').map((etag) => stripQuotes(etag.trim()));
        if (!wanted.includes('*') && !wanted.includes(stripQuotes(currentEtag))) {
          record(412);
          return sendS3Error(response, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', incoming.url ?? '', 'If-Match');
        }
      }
      // The write happens while the key is still locked: the check and the write are one step for other writers.
      const status = await forward(incoming, body, response);
      record(status);
    });
  }

  async function headEtag(bucketName: string, key: string): Promise<string | undefined> {
    try {
      const head = await headClient.send(new HeadObjectCommand({ Bucket: bucketName, Key: key }));
      return head.ETag;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404) return undefined;
      throw error;
    }
  }

  function forward(incoming: IncomingMessage, body: Buffer, response: ServerResponse): Promise<number> {
    const url = new URL(incoming.url ?? '/', 'http://front');
    const [, bucketName = '', ...keyParts] = url.pathname.split('/');
    const isObjectPut = incoming.method === 'PUT' && keyParts.length > 0 && [...url.searchParams.keys()].every((name) => name === 'x-id');
    return new Promise((resolve, reject) => {
      const headers = { ...incoming.headers };
      const outgoing = httpRequest(
        { host: backendUrl.hostname, port: backendUrl.port, method: incoming.method, path: incoming.url, headers, agent },
        (backendResponse) => {
          const status = backendResponse.statusCode ?? 500;
          const etag = backendResponse.headers.etag;
          const written = isObjectPut && status < 300 && etag ? untilReadable(bucketName, decodeURIComponent(keyParts.join('/')), etag) : Promise.resolve();
          written.then(
            () => {
              response.writeHead(status, backendResponse.headers);
              backendResponse.pipe(response);
              backendResponse.on('end', () => resolve(status));
              backendResponse.on('error', reject);
            },
            reject,
          );
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  /**
   * s3rver answers a PUT before the object's file is flushed (it ends the write stream and resolves at once), so a
   * GET right after the answer can read an empty or partial object; S3 never shows a write before it is whole. The
   * front answers the PUT only once the object reads back with its ETag's MD5.
   */
  async function untilReadable(bucketName: string, key: string, etag: string): Promise<void> {
    const wanted = stripQuotes(etag);
    for (let attempt = 0; attempt < 200; attempt++) {
      const object = await headClient.send(new GetObjectCommand({ Bucket: bucketName, Key: key }));
      const bytes = Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
      if (createHash('md5').update(bytes).digest('hex') === wanted) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`local S3: ${bucketName}/${key} did not read back as written (ETag ${etag})`);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const inject = (count: number, status: number, code: string, message: string, match: InjectedS3Failure = {}) => {
    injections = [...injections, ...Array.from({ length: count }, () => ({ status, code, message, match }))];
  };

  return {
    ...backend,
    endpoint: `http://127.0.0.1:${port}`,
    s3rverEndpoint: backend.endpoint,
    get requests() {
      return requests;
    },
    failNext(count, match) {
      inject(count, 500, 'InternalError', 'Injected failure: we encountered an internal error. Please try again.', match);
    },
    conflictNext(count, match) {
      inject(count, 409, 'ConditionalRequestConflict', 'A conflicting operation occurred. If using PutObject you can retry the request.', match);
    },
    clearRequests() {
      requests.length = 0;
      injections = [];
    },
    async deleteAllObjects() {
      await backend.deleteAllObjects();
      requests.length = 0;
      injections = [];
    },
    async stop() {
      headClient.destroy();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      agent.destroy();
      await backend.stop();
    },
  };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function stripQuotes(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"|"$/g, '');
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function sendS3Error(response: ServerResponse, status: number, code: string, message: string, resource: string, condition?: string, headOnly = false): void {
  const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>` +
    (condition ? `<Condition>${condition}</Condition>` : '') +
    `<Resource>${escapeXml(resource)}</Resource><RequestId>${requestId}</RequestId><HostId>conditional-front</HostId></Error>`;
  response.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-request-id': requestId,
  });
  // A HEAD response has no body (S3 gives only the status; the SDK names the error after it).
  response.end(headOnly ? undefined : body);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

import { createServer, request as httpRequest, Agent, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { STATE_TABLE_KEY } from '../../src/dynamodb/state-table-layout';

/**
 * A DynamoDB-protocol server for tests: dynalite (an implementation of DynamoDB's API on an in-memory LevelDB),
 * started on 127.0.0.1 on an ephemeral port, behind a small HTTP front that forwards every request byte for byte and
 * can answer some with the errors DynamoDB gives under load (throttling, 500, 503), and that records each request's
 * operation (X-Amz-Target) so tests can count them. The SDK is pointed at it with `AWS_ENDPOINT_URL_DYNAMODB`.
 */

/** dynalite accepts any credentials; the SDK still needs some to sign. */
export const LOCAL_DYNAMODB_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export interface DynamoDbRequestRecord {
  /** `GetItem`, `UpdateItem`, ... */
  readonly operation: string;
  readonly status: number;
  /** The request's `ConsistentRead` (reads only). */
  readonly consistentRead?: boolean;
}

export type InjectedDynamoDbFailure =
  /** 400 ThrottlingException: the SDK retries it with back-off. */
  | 'throttling'
  /** 400 ProvisionedThroughputExceededException (on-demand tables answer it when a partition is hot). */
  | 'throughput-exceeded'
  /** 500 InternalServerError. */
  | 'internal-error'
  /** 503 ServiceUnavailable. */
  | 'unavailable';

export interface LocalDynamoDb {
  /** `http://127.0.0.1:<port>` of the front. */
  readonly endpoint: string;
  /** A client of the front (region us-east-1, local credentials). */
  readonly client: DynamoDBClient;
  /** Another client, as a second Lambda container would have (its own connections); destroyed by `stop`. */
  newClient(options?: { readonly maxAttempts?: number }): DynamoDBClient;
  readonly requests: readonly DynamoDbRequestRecord[];
  /** Creates an on-demand table keyed like the state table; returns its name. */
  createStateTable(name?: string): Promise<string>;
  deleteTable(name: string): Promise<void>;
  /** Every item of a table, as DynamoDB returns them. */
  scanTable(name: string): Promise<Record<string, { S?: string; N?: string }>[]>;
  /** Answers the next `count` requests of `operation` (any when omitted) with `failure`. */
  failNext(count: number, failure: InjectedDynamoDbFailure, operation?: string): void;
  /**
   * Forwards the next `count` requests of `operation` to dynalite, so they take effect, but answers the caller with
   * 500 InternalServerError as if the answer was lost on the way: the SDK retries a write that already happened.
   */
  loseAnswerNext(count: number, operation: string): void;
  /** Answers every request with `failure` until `recover()`. */
  failAll(failure: InjectedDynamoDbFailure): void;
  recover(): void;
  clearRequests(): void;
  stop(): Promise<void>;
}

interface DynaliteServer extends Server {
  close(callback?: (error?: Error) => void): this;
}

const FAILURES: Record<InjectedDynamoDbFailure, { status: number; type: string; message: string }> = {
  throttling: { status: 400, type: 'com.amazon.coral.availability#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' },
  'throughput-exceeded': {
    status: 400,
    type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
    message: 'The level of configured provisioned throughput for the table was exceeded.',
  },
  'internal-error': { status: 500, type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' },
  unavailable: { status: 503, type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailableException', message: 'Service unavailable' },
};

let tableCounter = 0;

function readConsistency(body: Buffer): boolean | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { ConsistentRead?: unknown };
    return typeof parsed.ConsistentRead === 'boolean' ? parsed.ConsistentRead : undefined;
  } catch {
    return undefined;
  }
}

export async function startLocalDynamoDb(): Promise<LocalDynamoDb> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynalite = require('dynalite') as (options: Record<string, unknown>) => DynaliteServer;
  const backend = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const backendPort = (backend.address() as AddressInfo).port;
  const agent = new Agent({ keepAlive: true });
  const requests: DynamoDbRequestRecord[] = [];
  let pending: { count: number; failure: InjectedDynamoDbFailure; operation?: string }[] = [];
  let always: InjectedDynamoDbFailure | undefined;
  let lostAnswers: { count: number; operation: string }[] = [];

  const front = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const target = String(incoming.headers['x-amz-target'] ?? '');
    const operation = target.includes('.') ? target.slice(target.lastIndexOf('.') + 1) : target;
    const injection = always ?? takeInjection(operation);
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const consistentRead = readConsistency(Buffer.concat(chunks));
      const record = (status: number): void => {
        requests.push({ operation, status, ...(consistentRead === undefined ? {} : { consistentRead }) });
      };
      if (injection !== undefined) {
        const { status, type, message } = FAILURES[injection];
        record(status);
        outgoing.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `injected-${requests.length}` });
        outgoing.end(JSON.stringify({ __type: type, message }));
        return;
      }
      const loseAnswer = takeLostAnswer(operation);
      const forwarded = httpRequest(
        { host: '127.0.0.1', port: backendPort, method: incoming.method, path: incoming.url, headers: incoming.headers, agent },
        (answer) => {
          if (loseAnswer) {
            answer.resume();
            answer.on('end', () => {
              const { status, type, message } = FAILURES['internal-error'];
              record(status);
              outgoing.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
              outgoing.end(JSON.stringify({ __type: type, message }));
            });
            return;
          }
          record(answer.statusCode ?? 0);
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on('error', (error) => {
        outgoing.writeHead(502);
        outgoing.end(String(error));
      });
      forwarded.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_DYNAMODB_CREDENTIALS });
  const extraClients: DynamoDBClient[] = [];

  function takeInjection(operation: string): InjectedDynamoDbFailure | undefined {
    const index = pending.findIndex((entry) => entry.count > 0 && (entry.operation === undefined || entry.operation === operation));
    if (index < 0) return undefined;
    const entry = pending[index] as (typeof pending)[number];
    entry.count -= 1;
    if (entry.count === 0) pending = pending.filter((_, i) => i !== index);
    return entry.failure;
  }

  function takeLostAnswer(operation: string): boolean {
    const entry = lostAnswers.find((candidate) => candidate.count > 0 && candidate.operation === operation);
    if (entry === undefined) return false;
    entry.count -= 1;
    lostAnswers = lostAnswers.filter((candidate) => candidate.count > 0);
    return true;
  }

  return {
    endpoint,
    client,
    requests,
    newClient(options = {}) {
      const extra = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_DYNAMODB_CREDENTIALS, ...options });
      extraClients.push(extra);
      return extra;
    },
    async createStateTable(name = `state-${process.pid}-${++tableCounter}`) {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: STATE_TABLE_KEY, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: STATE_TABLE_KEY, KeyType: 'HASH' }],
        }),
      );
      return name;
    },
    async deleteTable(name) {
      await client.send(new DeleteTableCommand({ TableName: name }));
    },
    async scanTable(name) {
      const items: Record<string, { S?: string; N?: string }>[] = [];
      let start: Record<string, never> | undefined;
      do {
        const page = await client.send(new ScanCommand({ TableName: name, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
        items.push(...((page.Items ?? []) as Record<string, { S?: string; N?: string }>[]));
        start = page.LastEvaluatedKey as Record<string, never> | undefined;
      } while (start !== undefined);
      return items;
    },
    failNext(count, failure, operation) {
      pending.push({ count, failure, ...(operation ? { operation } : {}) });
    },
    loseAnswerNext(count, operation) {
      lostAnswers.push({ count, operation });
    },
    failAll(failure) {
      always = failure;
    },
    recover() {
      always = undefined;
      pending = [];
      lostAnswers = [];
    },
    clearRequests() {
      requests.length = 0;
    },
    async stop() {
      client.destroy();
      for (const extra of extraClients) extra.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await new Promise<void>((resolve) => backend.close(() => resolve()));
    },
  };
}

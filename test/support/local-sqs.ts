import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small SQS emulator on 127.0.0.1 speaking the protocol @aws-sdk/client-sqs uses: AWS JSON 1.0
 * (`POST /`, `X-Amz-Target: AmazonSQS.<Operation>`, `Content-Type: application/x-amz-json-1.0`), with errors in the
 * query-compatible form (`__type` in the body, `x-amzn-query-error` header). Implements ReceiveMessage (visibility
 * timeouts included; long polls answer at once), DeleteMessage and ChangeMessageVisibility. Signatures are not checked.
 * Queues are addressed by the last path segment of QueueUrl, so any queue URL with the right name works.
 */
export interface LocalSqs {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Creates (or empties) a queue and returns its URL on this endpoint. */
  createQueue(name: string): string;
  /** Puts a message in a queue (by name or URL) and returns its MessageId. */
  sendMessage(queue: string, body: string): string;
  /** Every message still in the queue, visible or not. */
  messages(queue: string): readonly StoredMessage[];
  /** The operations received, in order (e.g. 'ReceiveMessage'). */
  readonly operations: readonly string[];
  /** While set, DeleteMessage fails with this error code. */
  failDeletes(code: string | undefined): void;
  stop(): Promise<void>;
}

export interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly receiveCount: number;
  /** True when a consumer holds it (received and not yet back after its visibility timeout). */
  readonly inFlight: boolean;
}

interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
  receiveCount: number;
  invisibleUntil: number;
  readonly receiptHandles: Set<string>;
}

class SqsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly queryCode = code,
    readonly status = 400,
  ) {
    super(message);
  }
}

const DEFAULT_VISIBILITY_SECONDS = 30;

export async function startLocalSqs(): Promise<LocalSqs> {
  const queues = new Map<string, QueueMessage[]>();
  const operations: string[] = [];
  let deleteFailure: string | undefined;

  const queueName = (queue: string): string => queue.replace(/\/+$/, '').split('/').pop() ?? queue;
  function queueFor(input: Record<string, unknown>): QueueMessage[] {
    const url = input.QueueUrl;
    if (typeof url !== 'string') throw new SqsError('MissingParameter', 'QueueUrl is required');
    const queue = queues.get(queueName(url));
    if (queue === undefined) {
      throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.', 'AWS.SimpleQueueService.NonExistentQueue');
    }
    return queue;
  }
  function findByHandle(queue: QueueMessage[], input: Record<string, unknown>): QueueMessage | undefined {
    const handle = input.ReceiptHandle;
    if (typeof handle !== 'string' || handle === '') throw new SqsError('MissingParameter', 'ReceiptHandle is required');
    return queue.find((message) => message.receiptHandles.has(handle));
  }

  const handlers: Record<string, (input: Record<string, unknown>) => object> = {
    ReceiveMessage(input) {
      const queue = queueFor(input);
      const max = typeof input.MaxNumberOfMessages === 'number' ? input.MaxNumberOfMessages : 1;
      if (max < 1 || max > 10) throw new SqsError('InvalidParameterValue', 'MaxNumberOfMessages must be between 1 and 10');
      const visibility = typeof input.VisibilityTimeout === 'number' ? input.VisibilityTimeout : DEFAULT_VISIBILITY_SECONDS;
      const now = Date.now();
      const chosen = queue.filter((message) => message.invisibleUntil <= now).slice(0, max);
      const messages = chosen.map((message) => {
        const receiptHandle = randomUUID();
        message.receiptHandles.add(receiptHandle);
        message.receiveCount += 1;
        message.invisibleUntil = now + visibility * 1000;
        return {
          MessageId: message.messageId,
          ReceiptHandle: receiptHandle,
          MD5OfBody: createHash('md5').update(message.body, 'utf8').digest('hex'),
          Body: message.body,
        };
      });
      return messages.length === 0 ? {} : { Messages: messages };
    },
    DeleteMessage(input) {
      const queue = queueFor(input);
      if (deleteFailure !== undefined) throw new SqsError(deleteFailure, 'delete refused by the test', deleteFailure);
      const message = findByHandle(queue, input);
      if (message === undefined) throw new SqsError('ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
      queue.splice(queue.indexOf(message), 1);
      return {};
    },
    ChangeMessageVisibility(input) {
      const queue = queueFor(input);
      const message = findByHandle(queue, input);
      if (message === undefined) throw new SqsError('ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
      if (typeof input.VisibilityTimeout !== 'number') throw new SqsError('MissingParameter', 'VisibilityTimeout is required');
      message.invisibleUntil = Date.now() + input.VisibilityTimeout * 1000;
      return {};
    },
  };

  const server = createServer((request, response) => {
    void respond(request, response);
  });
  async function respond(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : target;
    operations.push(operation);
    try {
      const handler = request.method === 'POST' ? handlers[operation] : undefined;
      if (handler === undefined) throw new SqsError('UnknownOperationException', `unsupported operation '${target}'`);
      const text = Buffer.concat(chunks).toString('utf8');
      const input = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
      send(response, 200, handler(input));
    } catch (error) {
      const sqsError = error instanceof SqsError ? error : new SqsError('InternalError', String(error), 'InternalError', 500);
      response.setHeader('x-amzn-query-error', `${sqsError.queryCode};${sqsError.status >= 500 ? 'Receiver' : 'Sender'}`);
      send(response, sqsError.status, { __type: `com.amazonaws.sqs#${sqsError.code}`, message: sqsError.message });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function existingQueue(queue: string): QueueMessage[] {
    const messages = queues.get(queueName(queue));
    if (messages === undefined) throw new Error(`no queue '${queue}'`);
    return messages;
  }

  return {
    endpoint,
    operations,
    createQueue(name) {
      queues.set(name, []);
      return `${endpoint}/000000000000/${name}`;
    },
    sendMessage(queue, body) {
      const messageId = randomUUID();
      existingQueue(queue).push({ messageId, body, receiveCount: 0, invisibleUntil: 0, receiptHandles: new Set() });
      return messageId;
    },
    messages(queue) {
      const now = Date.now();
      return existingQueue(queue).map(({ messageId, body, receiveCount, invisibleUntil }) => ({
        messageId,
        body,
        receiveCount,
        inFlight: invisibleUntil > now,
      }));
    },
    failDeletes(code) {
      deleteFailure = code;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function send(response: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

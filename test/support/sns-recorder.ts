import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for SNS that understands just enough of Publish to record what a client sends.
 *
 * @aws-sdk/client-sns 3.1169 speaks the AWS Query protocol (form-encoded `Action=Publish&...`
 * answered with XML; see `AwsQueryProtocol` in its dist-cjs). AWS has been moving services to
 * AWS JSON 1.0 (`X-Amz-Target: AmazonSimpleNotificationService.Publish`), so that dialect is
 * understood too: an SDK upgrade should not silently turn these tests into "nothing published".
 */

export interface RecordedMessageAttribute {
  readonly dataType: string;
  readonly stringValue: string | undefined;
}

export interface RecordedPublish {
  readonly protocol: 'query' | 'json';
  readonly messageId: string;
  readonly topicArn: string | undefined;
  readonly subject: string | undefined;
  readonly message: string | undefined;
  readonly messageStructure: string | undefined;
  readonly messageAttributes: Readonly<Record<string, RecordedMessageAttribute>>;
}

export type SnsFailure = 'InternalError' | 'InvalidParameter';

export interface SnsRecorder {
  readonly endpoint: string;
  /** Publishes that were answered with success, in arrival order. */
  readonly publishes: readonly RecordedPublish[];
  /** Every Publish request received, failed ones included (shows SDK retries). */
  readonly publishAttempts: number;
  /** Answers the next `count` Publish requests with this error (and message) instead of recording them. */
  failNext(count: number, failure?: SnsFailure, message?: string): void;
  reset(): void;
  stop(): Promise<void>;
}

const SNS_XML_NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';
const JSON_TARGET_PREFIX = 'AmazonSimpleNotificationService.';

const FAILURES: Record<SnsFailure, { status: number; type: 'Sender' | 'Receiver'; message: string }> = {
  InternalError: { status: 500, type: 'Receiver', message: 'Injected failure: internal error' },
  InvalidParameter: { status: 400, type: 'Sender', message: 'Injected failure: invalid parameter' },
};

interface ParsedRequest {
  readonly protocol: 'query' | 'json';
  readonly action: string | undefined;
  readonly publish: Omit<RecordedPublish, 'protocol' | 'messageId'>;
}

export async function startSnsRecorder(): Promise<SnsRecorder> {
  const publishes: RecordedPublish[] = [];
  let publishAttempts = 0;
  let pendingFailures: { failure: SnsFailure; message: string }[] = [];

  const server = createServer((request, response) => {
    readBody(request)
      .then((body) => {
        const parsed = parseRequest(request, body);
        if (parsed.action !== 'Publish') {
          return sendError(response, parsed.protocol, 400, 'Sender', 'InvalidAction', `Unsupported action ${parsed.action}`);
        }
        publishAttempts += 1;
        const pending = pendingFailures.shift();
        if (pending !== undefined) {
          const { status, type } = FAILURES[pending.failure];
          return sendError(response, parsed.protocol, status, type, pending.failure, pending.message);
        }
        const messageId = randomUUID();
        publishes.push({ protocol: parsed.protocol, messageId, ...parsed.publish });
        return sendPublishResult(response, parsed.protocol, messageId);
      })
      .catch((error: unknown) => {
        sendError(response, 'query', 500, 'Receiver', 'InternalError', `Recorder failed: ${String(error)}`);
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    get publishes() {
      return publishes;
    },
    get publishAttempts() {
      return publishAttempts;
    },
    failNext(count, failure = 'InternalError', message = FAILURES[failure].message) {
      pendingFailures = [...pendingFailures, ...Array.from({ length: count }, () => ({ failure, message }))];
    },
    reset() {
      publishes.length = 0;
      publishAttempts = 0;
      pendingFailures = [];
    },
    stop() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets from the SDK would otherwise hold close() open.
        server.closeAllConnections();
      });
    },
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseRequest(request: IncomingMessage, body: string): ParsedRequest {
  const target = request.headers['x-amz-target'];
  const contentType = request.headers['content-type'] ?? '';
  if (typeof target === 'string' || contentType.startsWith('application/x-amz-json')) {
    return parseJsonRequest(typeof target === 'string' ? target : '', body);
  }
  return parseQueryRequest(body);
}

function parseQueryRequest(body: string): ParsedRequest {
  const form = new URLSearchParams(body);
  const value = (name: string) => form.get(name) ?? undefined;
  const messageAttributes: Record<string, RecordedMessageAttribute> = {};
  for (let index = 1; form.has(`MessageAttributes.entry.${index}.Name`); index += 1) {
    const prefix = `MessageAttributes.entry.${index}`;
    messageAttributes[form.get(`${prefix}.Name`) ?? ''] = {
      dataType: form.get(`${prefix}.Value.DataType`) ?? '',
      stringValue: value(`${prefix}.Value.StringValue`),
    };
  }
  return {
    protocol: 'query',
    action: value('Action'),
    publish: {
      topicArn: value('TopicArn'),
      subject: value('Subject'),
      message: value('Message'),
      messageStructure: value('MessageStructure'),
      messageAttributes,
    },
  };
}

function parseJsonRequest(target: string, body: string): ParsedRequest {
  const input = (body === '' ? {} : JSON.parse(body)) as Record<string, unknown>;
  const text = (name: string) => (typeof input[name] === 'string' ? (input[name] as string) : undefined);
  const messageAttributes: Record<string, RecordedMessageAttribute> = {};
  const attributes = (input.MessageAttributes ?? {}) as Record<string, { DataType?: string; StringValue?: string }>;
  for (const [name, attribute] of Object.entries(attributes)) {
    messageAttributes[name] = { dataType: attribute.DataType ?? '', stringValue: attribute.StringValue };
  }
  return {
    protocol: 'json',
    action: target.startsWith(JSON_TARGET_PREFIX) ? target.slice(JSON_TARGET_PREFIX.length) : undefined,
    publish: {
      topicArn: text('TopicArn'),
      subject: text('Subject'),
      message: text('Message'),
      messageStructure: text('MessageStructure'),
      messageAttributes,
    },
  };
}

function sendPublishResult(response: ServerResponse, protocol: 'query' | 'json', messageId: string): void {
  const requestId = randomUUID();
  if (protocol === 'json') {
    send(response, 200, 'application/x-amz-json-1.0', JSON.stringify({ MessageId: messageId }), requestId);
    return;
  }
  send(
    response,
    200,
    'text/xml',
    `<PublishResponse xmlns="${SNS_XML_NAMESPACE}"><PublishResult><MessageId>${messageId}</MessageId></PublishResult>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
    requestId,
  );
}

function sendError(
  response: ServerResponse,
  protocol: 'query' | 'json',
  status: number,
  type: 'Sender' | 'Receiver',
  code: string,
  message: string,
): void {
  const requestId = randomUUID();
  if (protocol === 'json') {
    send(response, status, 'application/x-amz-json-1.0', JSON.stringify({ __type: code, message }), requestId);
    return;
  }
  send(
    response,
    status,
    'text/xml',
    `<ErrorResponse xmlns="${SNS_XML_NAMESPACE}"><Error><Type>${type}</Type><Code>${code}</Code>` +
      `<Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    requestId,
  );
}

function send(response: ServerResponse, status: number, contentType: string, body: string, requestId: string): void {
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
  });
  response.end(body);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small Lambda emulator on 127.0.0.1 for the one call the redrive makes: `POST
 * /2015-03-31/functions/{FunctionName}/invocations` (REST-JSON). `X-Amz-Invocation-Type: Event` is accepted with 202
 * and an empty body, like the real service; RequestResponse answers 200 `null`, DryRun 204. Signatures are not
 * checked. Invocations are recorded; `failWhen` makes chosen ones fail with a service error.
 */
export interface LocalLambda {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Accepted invocations, in order. */
  readonly invocations: readonly Invocation[];
  /** Every request that reached the invoke path, accepted or not. */
  readonly attempts: readonly Invocation[];
  /** Invocations matching the predicate fail with the error (default: 500 ServiceException); undefined clears. */
  failWhen(predicate: ((invocation: Invocation) => boolean) | undefined, error?: LambdaErrorSpec): void;
  reset(): void;
  stop(): Promise<void>;
}

export interface Invocation {
  /** As it appeared in the path, URL-decoded: a name, or an ARN. */
  readonly functionName: string;
  readonly invocationType: string;
  readonly payload: string;
}

export interface LambdaErrorSpec {
  readonly status: number;
  /** The `x-amzn-ErrorType` the SDK turns into the error's name, e.g. ResourceNotFoundException. */
  readonly type: string;
  readonly message: string;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export async function startLocalLambda(): Promise<LocalLambda> {
  const invocations: Invocation[] = [];
  const attempts: Invocation[] = [];
  let failure: { predicate: (invocation: Invocation) => boolean; error: LambdaErrorSpec } | undefined;

  const server = createServer((request, response) => {
    void respond(request, response);
  });
  async function respond(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = (request.url ?? '').split('?')[0] ?? '';
    const match = INVOKE_PATH.exec(path);
    if (request.method !== 'POST' || match === null) {
      sendError(response, { status: 404, type: 'UnknownOperationException', message: `no route for ${request.method} ${path}` });
      return;
    }
    const invocation: Invocation = {
      functionName: decodeURIComponent(match[1] as string),
      invocationType: String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse'),
      payload: Buffer.concat(chunks).toString('utf8'),
    };
    attempts.push(invocation);
    if (failure?.predicate(invocation)) {
      sendError(response, failure.error);
      return;
    }
    switch (invocation.invocationType) {
      case 'Event':
        invocations.push(invocation);
        response.writeHead(202, { 'content-length': 0 }).end();
        return;
      case 'RequestResponse':
        invocations.push(invocation);
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': 4 }).end('null');
        return;
      case 'DryRun':
        response.writeHead(204, { 'content-length': 0 }).end();
        return;
      default:
        sendError(response, { status: 400, type: 'InvalidParameterValueException', message: `bad invocation type ${invocation.invocationType}` });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    invocations,
    attempts,
    failWhen(predicate, error = { status: 500, type: 'ServiceException', message: 'injected failure' }) {
      failure = predicate === undefined ? undefined : { predicate, error };
    },
    reset() {
      invocations.length = 0;
      attempts.length = 0;
      failure = undefined;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function sendError(response: ServerResponse, error: LambdaErrorSpec): void {
  const text = JSON.stringify({ Type: error.status >= 500 ? 'Service' : 'User', message: error.message });
  response.writeHead(error.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-errortype': error.type,
  });
  response.end(text);
}

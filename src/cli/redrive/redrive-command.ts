import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { CliIo } from '../cli-io';
import { LineWriter } from '../line-writer';
import { printable } from '../terminal-text';
import { PROGRAM_NAME } from '../usage';
import type { RedriveArguments } from './args';
import { describeAwsError } from './aws-error';
import { classifyMessage } from './messages';

/** Long-poll wait per ReceiveMessage: long enough that an empty answer means the queue is empty. */
export const RECEIVE_WAIT_SECONDS = 5;
/**
 * How long received messages stay hidden from other consumers while the run goes on. Messages the run leaves in the
 * queue are made visible again when it ends; this only matters if the run is killed.
 */
export const RECEIVE_VISIBILITY_SECONDS = 300;

/** One stdout line per message handled. */
export interface RedriveLine {
  readonly messageId: string;
  readonly eventId: string | null;
  readonly eventName: string | null;
  readonly action: 'redriven' | 'skipped' | 'would-redrive';
  /** Where the event was found: the EventBridge DLQ body itself, or a Lambda on-failure record's requestPayload. */
  readonly shape?: 'eventbridge-event' | 'lambda-on-failure-record';
  readonly reason?: string;
}

interface Tally {
  received: number;
  redriven: number;
  wouldRedrive: number;
  unrecognized: number;
  /** Recognized events that were not redriven (invoke refused), or redriven but not deleted. */
  failed: number;
}

/**
 * Runs `redrive` (arguments parsed by REDRIVE_COMMAND, src/cli/redrive/args.ts); returns the exit code: 0 every
 * recognized event was redriven (or, with --dry-run, could be); 1 some could not be, or the queue could not be read.
 * Unrecognized messages are reported and left in the queue; they do not change the exit code.
 */
export async function runRedrive(parsed: RedriveArguments, io: CliIo): Promise<number> {

  const out = new LineWriter(io.stdout);
  const err = new LineWriter(io.stderr);
  // One client of each per run; region, credentials, profile and AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_LAMBDA
  // come from the standard SDK configuration chain.
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: !hasConfiguredSqsEndpoint(process.env) });
  const lambda = new LambdaClient({});
  const tally: Tally = { received: 0, redriven: 0, wouldRedrive: 0, unrecognized: 0, failed: 0 };
  const { queueUrl, functionName, dryRun, max = Number.POSITIVE_INFINITY } = parsed;
  /** Messages this run leaves in the queue (message id → latest receipt handle), made visible again at the end. */
  const leftInQueue = new Map<string, string>();
  const seen = new Set<string>();
  let receiveError: string | undefined;

  try {
    while (tally.received < max && !out.closed) {
      let messages: Message[];
      try {
        const answer = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.min(10, max - tally.received),
            WaitTimeSeconds: RECEIVE_WAIT_SECONDS,
            VisibilityTimeout: RECEIVE_VISIBILITY_SECONDS,
          }),
        );
        messages = answer.Messages ?? [];
      } catch (error) {
        receiveError = `cannot receive messages from ${queueUrl}: ${describeAwsError(error)}`;
        break;
      }
      if (messages.length === 0) break; // the queue is empty (for this run)

      let fresh = 0;
      for (const message of messages) {
        const messageId = message.MessageId ?? '';
        const receiptHandle = message.ReceiptHandle ?? '';
        if (seen.has(messageId)) {
          // Seen earlier in this run (its visibility ran out): keep the newest handle, do not handle it twice.
          if (leftInQueue.has(messageId)) leftInQueue.set(messageId, receiptHandle);
          continue;
        }
        seen.add(messageId);
        fresh += 1;
        tally.received += 1;
        await out.writeLine(JSON.stringify(await handle(message)));
      }
      // Only messages already handled came back: the queue holds nothing new for this run.
      if (fresh === 0) break;
    }
  } finally {
    await releaseMessages();
    sqs.destroy();
    lambda.destroy();
  }

  if (receiveError !== undefined) await err.writeLine(`${PROGRAM_NAME}: ${printable(receiveError)}`);
  const outputFailure = out.unexpectedFailure;
  if (outputFailure !== undefined) await err.writeLine(`${PROGRAM_NAME}: cannot write to stdout: ${outputFailure.message}`);
  await err.writeLine(formatSummary(tally, queueUrl, dryRun, tally.received >= max));
  return tally.failed > 0 || receiveError !== undefined || outputFailure !== undefined ? 1 : 0;

  async function handle(message: Message): Promise<RedriveLine> {
    const messageId = message.MessageId ?? '';
    const receiptHandle = message.ReceiptHandle ?? '';
    const letter = classifyMessage(message.Body);
    const { eventId } = letter;
    if (letter.kind === 'unrecognized') {
      const { eventName } = letter;
      tally.unrecognized += 1;
      leftInQueue.set(messageId, receiptHandle);
      return { messageId, eventId, eventName, action: 'skipped', reason: `unrecognized message: ${letter.reason}` };
    }
    const { eventName, shape } = letter;
    if (dryRun) {
      tally.wouldRedrive += 1;
      leftInQueue.set(messageId, receiptHandle);
      return { messageId, eventId, eventName, shape, action: 'would-redrive' };
    }

    try {
      const result = await lambda.send(
        new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(letter.payload, 'utf8') }),
      );
      if (result.StatusCode !== 202) throw new Error(`invoke answered with status ${String(result.StatusCode)}, not 202`);
    } catch (error) {
      tally.failed += 1;
      leftInQueue.set(messageId, receiptHandle);
      return { messageId, eventId, eventName, shape, action: 'skipped', reason: `invoke failed, message kept: ${describeAwsError(error)}` };
    }

    tally.redriven += 1;
    try {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }));
    } catch (error) {
      // The event went to the function, but the message stays: a later run would send it again.
      tally.failed += 1;
      return {
        messageId,
        eventId,
        eventName,
        shape,
        action: 'redriven',
        reason: `invoked, but the message could not be deleted and may be redriven again: ${describeAwsError(error)}`,
      };
    }
    return { messageId, eventId, eventName, shape, action: 'redriven' };
  }

  /** Makes the messages left in the queue visible again at once, so the run leaves the queue as it found it. */
  async function releaseMessages(): Promise<void> {
    for (const [messageId, receiptHandle] of leftInQueue) {
      try {
        await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 }));
      } catch (error) {
        await err.writeLine(
          `${PROGRAM_NAME}: message ${messageId} stays hidden until its visibility timeout ends: ${describeAwsError(error)}`,
        );
      }
    }
  }
}

/**
 * The SQS client normally sends each request to the host of its QueueUrl, even when AWS_ENDPOINT_URL_SQS names another
 * endpoint (it only warns). An endpoint set in the environment is meant to win, e.g. a VPC endpoint or a local
 * emulator given a real-looking queue URL, so the QueueUrl host is only used when none is set.
 */
function hasConfiguredSqsEndpoint(env: NodeJS.ProcessEnv): boolean {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return false;
  return (env.AWS_ENDPOINT_URL_SQS ?? '') !== '' || (env.AWS_ENDPOINT_URL ?? '') !== '';
}

function formatSummary(tally: Tally, queueUrl: string, dryRun: boolean, reachedMax: boolean): string {
  const parts = dryRun
    ? [`${tally.wouldRedrive} would be redriven`, `${tally.unrecognized} unrecognized`, 'nothing invoked or deleted (dry run)']
    : [`${tally.redriven} redriven`, `${tally.unrecognized} unrecognized (left in the queue)`, `${tally.failed} failed`];
  const limit = reachedMax ? '; stopped at --max' : '';
  return `redrive: ${tally.received} message${tally.received === 1 ? '' : 's'} from ${queueUrl}: ${parts.join(', ')}${limit}`;
}

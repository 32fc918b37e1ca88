import type { CliIo } from '../cli-io';
import { flag, UsageError, valueOption, type CommandDeclaration } from '../command-line';

/** What `redrive` was asked to do. */
export interface RedriveArguments {
  readonly queueUrl: string;
  readonly functionName: string;
  /** Most messages to handle in this run; undefined drains the queue. */
  readonly max?: number;
  readonly dryRun: boolean;
}

const REDRIVE_OPTIONS = {
  queue: valueOption('QUEUE_URL', 'the dead-letter queue (stack output DeadLetterQueueUrl or FailedInvocationQueueUrl)', { parse: parseQueueUrl }),
  function: valueOption('NAME', "the detector function's name or ARN (stack output DetectorFunctionName)"),
  max: valueOption('N', 'handle at most N messages', { parse: parseMax }),
  dryRun: flag('report what would be redriven; invoke nothing, delete nothing'),
} as const;

export const REDRIVE_COMMAND: CommandDeclaration<typeof REDRIVE_OPTIONS, RedriveArguments, CliIo> = {
  name: 'redrive',
  summary: 'send dead-lettered events back to the detector function',
  usage: ['redrive --queue QUEUE_URL --function FUNCTION_NAME_OR_ARN [--max N] [--dry-run]'],
  description: `Re-drives dead-lettered events (docs/redrive.md): receives from the SQS queue until it is empty (or N
messages), takes the event from each message (an EventBridge DLQ message is the event; a Lambda on-failure record
carries it in requestPayload), checks it is a CloudTrail event (an API call or a console sign-in), invokes the
function asynchronously with it and deletes the message once the invoke is accepted. Other messages are reported
and left in the queue. Region, credentials, profile and AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_LAMBDA come from the
usual AWS settings.

stdout: one JSON line per message {messageId, eventId, eventName, action, reason?}, action being redriven, skipped or
would-redrive; stderr: a summary.`,
  options: REDRIVE_OPTIONS,
  examples: [
    {
      command: 'redrive --dry-run --queue "$DLQ_URL" --function "$FUNCTION"',
      explanation:
        'list what would be sent again, touching nothing (DLQ_URL and FUNCTION: the stack outputs DeadLetterQueueUrl ' +
        'and DetectorFunctionName, see docs/redrive.md)',
    },
    { command: 'redrive --max 5 --queue "$DLQ_URL" --function "$FUNCTION"', explanation: 'redrive five messages first, then run again without --max' },
  ],
  notes: `Exit status: 0 every recognized event was redriven; 1 some could not be (or the queue could not be read);
2 usage error.`,
  build(options) {
    if (options.queue === undefined) throw new UsageError('needs --queue QUEUE_URL');
    if (options.function === undefined) throw new UsageError('needs --function FUNCTION_NAME_OR_ARN');
    const base = { queueUrl: options.queue, functionName: options.function, dryRun: options.dryRun === true };
    return options.max === undefined ? base : { ...base, max: options.max };
  },
  run(args, io) {
    return (require('./redrive-command') as typeof import('./redrive-command')).runRedrive(args, io);
  },
};

function parseQueueUrl(text: string, flag: string): string {
  if (!isHttpUrl(text)) throw new UsageError(`${flag} must be a queue URL such as https://sqs.REGION.amazonaws.com/ACCOUNT/NAME, not '${text}'`);
  return text;
}

function parseMax(text: string, flag: string): number {
  if (!/^[1-9][0-9]*$/.test(text)) throw new UsageError(`${flag} must be a positive whole number, not '${text}'`);
  const max = Number(text);
  if (!Number.isSafeInteger(max)) throw new UsageError(`${flag} is too large: '${text}'`);
  return max;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.pathname.length > 1;
  } catch {
    return false;
  }
}

import type { CliIo } from '../cli-io';
import { flag, UsageError, valueOption, type CommandDeclaration } from '../command-line';
import { parseS3Url, type S3Location } from '../s3/s3-url';

/** What `redrive --queue` was asked to do. */
export interface RedriveArguments {
  readonly queueUrl: string;
  readonly functionName: string;
  /** Most messages to handle in this run; undefined drains the queue. */
  readonly max?: number;
  readonly dryRun: boolean;
}

/** What `redrive --undelivered-alerts` was asked to do. */
export interface UndeliveredAlertsArguments {
  readonly archive: S3Location;
  readonly functionName: string;
  /** Only archive objects modified this recently (milliseconds). */
  readonly sinceMs: number;
  /** A `claimed` object counts as undelivered only once its claim is this old (milliseconds). */
  readonly minAgeMs: number;
  /** Most alerts to re-deliver in this run; undefined: all found. */
  readonly max?: number;
  readonly dryRun: boolean;
}

export type RedriveRequest = ({ readonly source: 'queue' } & RedriveArguments) | ({ readonly source: 'archive' } & UndeliveredAlertsArguments);

/** The retention of the failure queues: what `--since` looks back by default. */
export const DEFAULT_SINCE_MS = 14 * 86_400_000;
/** Well past the stack's claim lease (function timeout + 15 s = 45 s): a younger claim may be a live delivery. */
export const DEFAULT_MIN_AGE_MS = 15 * 60_000;

const REDRIVE_OPTIONS = {
  queue: valueOption('QUEUE_URL', 'the dead-letter queue (stack output DeadLetterQueueUrl or FailedInvocationQueueUrl)', { parse: parseQueueUrl }),
  undeliveredAlerts: valueOption<S3Location>(
    's3://BUCKET/PREFIX',
    'instead of a queue: re-deliver the alerts archived under the prefix (stack output AlertArchiveBucketName, prefix ' +
      'alerts/) that were never delivered (publish_failed, or claimed and abandoned)',
    { parse: parseArchiveUrl },
  ),
  function: valueOption('NAME', "the detector function's name or ARN (stack output DetectorFunctionName)"),
  since: valueOption('DURATION', '--undelivered-alerts: only objects modified in the last DURATION (default 14d, the queues\' retention)', { parse: parseDuration }),
  minAge: valueOption('DURATION', '--undelivered-alerts: a claimed alert counts as abandoned once claimed this long ago (default 15m)', { parse: parseDuration }),
  max: valueOption('N', 'handle at most N messages (N alerts with --undelivered-alerts)', { parse: parseMax }),
  dryRun: flag('report what would be redriven; invoke nothing, delete nothing'),
} as const;

export const REDRIVE_COMMAND: CommandDeclaration<typeof REDRIVE_OPTIONS, RedriveRequest, CliIo> = {
  name: 'redrive',
  summary: 'send dead-lettered events, or alerts never delivered, back to the detector function',
  usage: [
    'redrive --queue QUEUE_URL --function FUNCTION_NAME_OR_ARN [--max N] [--dry-run]',
    'redrive --undelivered-alerts s3://BUCKET/PREFIX --function FUNCTION_NAME_OR_ARN [--since DURATION] [--min-age DURATION] [--max N] [--dry-run]',
  ],
  description: `Re-drives dead-lettered events (docs/redrive.md): receives from the SQS queue until it is empty (or N
messages), takes the event from each message (an EventBridge DLQ message is the event; a Lambda on-failure record
carries it in requestPayload), checks it is a CloudTrail event (an API call or a console sign-in), invokes the
function asynchronously with it and deletes the message once the invoke is accepted. Other messages are reported
and left in the queue. Region, credentials, profile and AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_LAMBDA come from the
usual AWS settings.

stdout: one JSON line per message {messageId, eventId, eventName, action, reason?}, action being redriven, skipped or
would-redrive; stderr: a summary.

With --undelivered-alerts instead of --queue: lists the alert archive under the prefix, reads the objects modified
within --since, and asks the function (asynchronously, one invocation per alert) to re-deliver each alert archived as
publish_failed, or claimed longer than --min-age ago. The function delivers it exactly once, with the rule of the
deployed pack; alerts already delivered are not sent again. Do this first after an SNS or KMS failure: an alert of a
threshold, new_terms or sequence rule cannot come back from a re-driven event once the rule's state has expired.
stdout: one JSON line per such alert {archiveKey, ruleId, eventId, alertKey?, state, ageSeconds, action, reason?},
action being invoked, would-invoke or skipped; stderr: a summary. AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL_LAMBDA
apply.`,
  options: REDRIVE_OPTIONS,
  examples: [
    {
      command: 'redrive --dry-run --queue "$DLQ_URL" --function "$FUNCTION"',
      explanation:
        'list what would be sent again, touching nothing (DLQ_URL and FUNCTION: the stack outputs DeadLetterQueueUrl ' +
        'and DetectorFunctionName, see docs/redrive.md)',
    },
    { command: 'redrive --max 5 --queue "$DLQ_URL" --function "$FUNCTION"', explanation: 'redrive five messages first, then run again without --max' },
    {
      command: 'redrive --dry-run --undelivered-alerts "s3://$ARCHIVE_BUCKET/alerts/" --function "$FUNCTION"',
      explanation: 'list the alerts archived in the last 14 days that were never delivered, invoking nothing',
    },
  ],
  notes: `Exit status: 0 every recognized event (every undelivered alert) was redriven; 1 some could not be (or the
queue or the archive could not be read); 2 usage error.`,
  build(options) {
    if (options.queue !== undefined && options.undeliveredAlerts !== undefined) {
      throw new UsageError('--queue and --undelivered-alerts cannot be used together: run the command once for each');
    }
    if (options.queue === undefined && options.undeliveredAlerts === undefined) throw new UsageError('needs --queue QUEUE_URL or --undelivered-alerts s3://BUCKET/PREFIX');
    if (options.function === undefined) throw new UsageError('needs --function FUNCTION_NAME_OR_ARN');
    const common = { functionName: options.function, dryRun: options.dryRun === true, ...(options.max === undefined ? {} : { max: options.max }) };
    if (options.undeliveredAlerts !== undefined) {
      return {
        source: 'archive',
        archive: options.undeliveredAlerts,
        sinceMs: options.since ?? DEFAULT_SINCE_MS,
        minAgeMs: options.minAge ?? DEFAULT_MIN_AGE_MS,
        ...common,
      };
    }
    if (options.queue === undefined) throw new UsageError('needs --queue QUEUE_URL'); // cannot happen: checked above
    if (options.since !== undefined || options.minAge !== undefined) throw new UsageError('--since and --min-age go with --undelivered-alerts');
    return { source: 'queue', queueUrl: options.queue, ...common };
  },
  run(args, io) {
    if (args.source === 'archive') {
      return (require('./undelivered-alerts-command') as typeof import('./undelivered-alerts-command')).runUndeliveredAlerts(args, io);
    }
    return (require('./redrive-command') as typeof import('./redrive-command')).runRedrive(args, io);
  },
};

function parseArchiveUrl(text: string, flag: string): S3Location {
  const location = parseS3Url(text);
  if ('error' in location) throw new UsageError(`${flag}: ${location.error}`);
  return location;
}

const DURATION_UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `12h`, `14d` → milliseconds. */
function parseDuration(text: string, flag: string): number {
  const match = /^([1-9][0-9]{0,5})([smhd])$/.exec(text);
  if (!match) throw new UsageError(`${flag} must be a duration such as 90s, 15m, 12h or 14d, not '${text}'`);
  return Number(match[1]) * (DURATION_UNIT_MS[match[2] as string] as number);
}

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

export const PROGRAM_NAME = 'cloudtrail-stream-detector';

export const USAGE = `Usage: ${PROGRAM_NAME} scan [--rules DIR] PATH...`;

export const HELP_TEXT = `${USAGE}
       ${PROGRAM_NAME} athena [--rules DIR] [--table NAME] [--database NAME] [--ddl --bucket B --prefix P]  (see docs/athena.md)

Scans CloudTrail data on disk with the detection rules and prints one JSON alert per line on stdout: the same
alert document the Lambda publishes as the SNS "default" message.

PATH   a file, or a directory read recursively in name order (hidden files and folders are skipped).
       Files may hold a CloudTrail log {"Records": [...]} (gzipped or not), a single record, an EventBridge
       "AWS API Call via CloudTrail" event, a JSON array of those, or JSON Lines of any of them.
       CloudTrail digest files are recognised and skipped.
       Or s3://bucket/prefix: the CloudTrail objects under it, listed and read with the standard AWS settings
       (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_S3); digest and Insight folders are skipped.

Options:
  --rules DIR          use the Elastic-format TOML rules in DIR instead of the packaged rules
  --since YYYY-MM-DD   s3:// only: days from (UTC, inclusive); --until YYYY-MM-DD: days up to
  --accounts A,B       s3:// only: these accounts;  --regions R1,R2: these regions (folders outside are not listed)
  --concurrency N      S3 objects read at once (default 8)
  --format json|table  one JSON alert per line (default) or a table for people
  --output FILE        write alerts to FILE (created or truncated) instead of stdout
  --exceptions FILE    apply the Kibana exception list export FILE (repeatable) to the rules whose exceptions_list
                       names its lists; suppressed matches go to stderr ("suppressed: ..."), not stdout
  --exceptions-for-all apply every --exceptions list to every rule
  --max-object-size N  read at most N (e.g. 256M, the default; 1M to 512M) of each object's content, inflated;
                       past it one error names the object, and the records before the limit are still scanned
  -q, --quiet          no progress line on stderr (it is only drawn when stderr is a terminal)
  -h, --help           show this help

Each (rule, CloudTrail eventID) pair alerts once per run, however many files repeat the event.
Rules with [rule.alert_suppression] suppress repeats within their window over event time (@timestamp), in input
order; each suppressed match is one "suppressed: ..." line on stderr (docs/exceptions.md).
Problems with inputs go to stderr as "path:position: message", followed by a summary.

Exit status: 0 every input was read; 1 some input could not be read; 2 usage error or unusable rules;
130 interrupted (Ctrl-C: reads in flight are aborted and the summary is printed).

Usage: ${PROGRAM_NAME} redrive --queue QUEUE_URL --function FUNCTION_NAME_OR_ARN [--max N] [--dry-run]

Re-drives dead-lettered events (docs/redrive.md): receives from the SQS queue until it is empty (or N messages),
takes the event from each message (an EventBridge DLQ message is the event; a Lambda on-failure record carries it
in requestPayload), checks it is a CloudTrail event (an API call or a console sign-in), invokes the function
asynchronously with it and deletes the message once the invoke is accepted. Other messages are reported and left in the queue.
Region, credentials, profile and AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_LAMBDA come from the usual AWS settings.

  --queue URL        the dead-letter queue (stack output DeadLetterQueueUrl or FailedInvocationQueueUrl)
  --function NAME    the detector function's name or ARN
  --max N            handle at most N messages
  --dry-run          report what would be redriven; invoke nothing, delete nothing

stdout: one JSON line per message {messageId, eventId, eventName, action, reason?}, action being redriven,
skipped or would-redrive; stderr: a summary. Exit status: 0 every recognized event was redriven; 1 some could
not be (or the queue could not be read); 2 usage error.
`;

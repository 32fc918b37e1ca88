export const PROGRAM_NAME = 'cloudtrail-stream-detector';

export const USAGE = `Usage: ${PROGRAM_NAME} scan [--rules DIR] PATH...`;

export const HELP_TEXT = `${USAGE}

Scans CloudTrail data on disk with the detection rules and prints one JSON alert per line on stdout: the same
alert document the Lambda publishes as the SNS "default" message.

PATH   a file, or a directory read recursively in name order (hidden files and folders are skipped).
       Files may hold a CloudTrail log {"Records": [...]} (gzipped or not), a single record, an EventBridge
       "AWS API Call via CloudTrail" event, a JSON array of those, or JSON Lines of any of them.
       CloudTrail digest files are recognised and skipped.

Options:
  --rules DIR   use the Elastic-format TOML rules in DIR instead of the packaged rules
  -h, --help    show this help

Each (rule, CloudTrail eventID) pair alerts once per run, however many files repeat the event.
Problems with inputs go to stderr as "path:position: message", followed by a summary.

Exit status: 0 every input was read; 1 some input could not be read; 2 usage error or unusable rules.
`;

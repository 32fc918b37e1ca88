/**
 * Which ECS fields can be turned back into CloudTrail record fields for an EventBridge pattern, and what is known
 * about the EventBridge envelope of CloudTrail events. Sources: reference/ecs-cloudtrail-mapping.md (the Elastic
 * `aws.cloudtrail` pipeline) and the EventBridge events reference (docs.aws.amazon.com/eventbridge/latest/ref/).
 */

/**
 * ECS field → path of the CloudTrail field inside the envelope's `detail`. Only fields the pipeline copies or
 * renames unchanged are listed: a value the query sees is then exactly a value the CloudTrail record holds
 * (the pipeline's null-removal may hide `""`, `"-"` and `"none"`, which only makes the pattern let more through).
 * All of them are strings in the CloudTrail record schema, so a KQL literal is compared as text.
 */
export const CLOUDTRAIL_FIELD_BY_ECS_FIELD: ReadonlyMap<string, readonly string[]> = new Map([
  ['event.provider', ['eventSource']],
  ['event.action', ['eventName']],
  ['event.id', ['eventID']],
  ['cloud.region', ['awsRegion']],
  ['source.address', ['sourceIPAddress']],
  ['user_agent.original', ['userAgent']],
  ['aws.cloudtrail.event_type', ['eventType']],
  ['aws.cloudtrail.error_code', ['errorCode']],
  ['aws.cloudtrail.error_message', ['errorMessage']],
  ['aws.cloudtrail.recipient_account_id', ['recipientAccountId']],
  ['aws.cloudtrail.user_identity.type', ['userIdentity', 'type']],
  ['aws.cloudtrail.user_identity.arn', ['userIdentity', 'arn']],
  ['aws.cloudtrail.user_identity.access_key_id', ['userIdentity', 'accessKeyId']],
  ['aws.cloudtrail.user_identity.invoked_by', ['userIdentity', 'invokedBy']],
  [
    'aws.cloudtrail.user_identity.session_context.session_issuer.arn',
    ['userIdentity', 'sessionContext', 'sessionIssuer', 'arn'],
  ],
]);

/** ECS fields the normalizer sets to one constant on every CloudTrail document. */
export const CONSTANT_ECS_FIELDS: ReadonlyMap<string, string> = new Map([
  ['event.dataset', 'aws.cloudtrail'],
  ['data_stream.dataset', 'aws.cloudtrail'],
]);

export const EVENT_SOURCE_PATH = 'eventSource';
export const EVENT_NAME_PATH = 'eventName';
export const ERROR_CODE_PATH = 'errorCode';
export const ERROR_MESSAGE_PATH = 'errorMessage';

/**
 * CloudTrail fields present on every API-call and sign-in record, so `anything-but` (which never matches a
 * missing field) is as permissive as the KQL `not` (which also holds when the field is missing).
 */
export const ALWAYS_PRESENT_PATHS: ReadonlySet<string> = new Set([EVENT_SOURCE_PATH, EVENT_NAME_PATH]);

/** The one event whose `event.outcome` comes from `responseElements.ConsoleLogin` instead of the error fields. */
export const CONSOLE_LOGIN = 'ConsoleLogin';

export const API_CALL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/**
 * Console sign-in events (eventType AwsConsoleSignIn, eventSource signin.amazonaws.com) arrive with their own
 * detail-type. Real events carry "AWS Console Sign In via CloudTrail"; the EventBridge user guide spells it
 * "AWS Console Signin via CloudTrail". Both are listed: an extra value costs nothing and cannot lose events.
 */
export const SIGN_IN_DETAIL_TYPES: readonly string[] = ['AWS Console Sign In via CloudTrail', 'AWS Console Signin via CloudTrail'];
export const SIGN_IN_EVENT_SOURCE = 'signin.amazonaws.com';

/**
 * The envelope `source` for CloudTrail events of a service. It is `aws.<prefix>` for most services but not all
 * (the events reference lists CloudWatch's `monitoring.amazonaws.com` under `aws.monitoring`, while alarm events
 * use `aws.cloudwatch`), so only services checked against their events-reference page are listed. For any other
 * provider the pattern leaves `source` out: `detail.eventSource` already selects the same events.
 */
export const EVENTBRIDGE_SOURCE_BY_EVENT_SOURCE: ReadonlyMap<string, string> = new Map([
  ['rds.amazonaws.com', 'aws.rds'], // events-ref-rds.html
  ['iam.amazonaws.com', 'aws.iam'], // events-ref-iam.html
  ['sts.amazonaws.com', 'aws.sts'], // events-ref-sts.html
  ['ec2.amazonaws.com', 'aws.ec2'], // events-ref-ec2.html
  ['s3.amazonaws.com', 'aws.s3'], // events-ref-s3.html
  ['cloudtrail.amazonaws.com', 'aws.cloudtrail'], // events-ref-cloudtrail.html
  ['logs.amazonaws.com', 'aws.logs'], // events-ref-logs.html
  ['signin.amazonaws.com', 'aws.signin'], // events-ref-signin.html
  ['account.amazonaws.com', 'aws.account'], // events-ref-account.html
]);

import fc from 'fast-check';
import type { KqlNode, KqlValue } from '../../../src/engine/kql/ast';

/**
 * Random CloudTrail records, and the EventBridge envelopes AWS would deliver them in, biased towards the values
 * a query mentions so that a good share of them match it. Records follow the CloudTrail schema: the fields the
 * pattern compiler maps are strings, eventSource/eventName are always present, errorMessage comes with
 * errorCode (ConsoleLogin failures excepted), ConsoleLogin records carry `responseElements.ConsoleLogin`.
 */
export interface CloudTrailDelivery {
  readonly record: Record<string, unknown>;
  readonly envelope: Record<string, unknown>;
}

/** Values the query compares each field with: literal text, or wildcard segments to fill in. */
type FieldHints = Map<string, KqlValue[]>;

export function cloudTrailDeliveryArbitrary(query?: KqlNode): fc.Arbitrary<CloudTrailDelivery> {
  const hints = query ? collectHints(query) : new Map<string, KqlValue[]>();
  const text = (field: string, pool: readonly string[]) => hintedString(hints.get(field) ?? [], pool);
  const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 3 });

  const identity = fc.record({
    type: text('aws.cloudtrail.user_identity.type', ['IAMUser', 'AssumedRole', 'Root', 'AWSService', 'FederatedUser']),
    principalId: fc.constantFrom('AIDAEXAMPLE', 'AROAEXAMPLE:session'),
    accountId: fc.constantFrom('111122223333', '444455556666'),
    arn: optional(text('aws.cloudtrail.user_identity.arn', ['arn:aws:iam::111122223333:user/alice', 'arn:aws:sts::111122223333:assumed-role/Admin/bob'])),
    accessKeyId: optional(text('aws.cloudtrail.user_identity.access_key_id', ['AKIAEXAMPLE', 'ASIAEXAMPLE'])),
    invokedBy: optional(text('aws.cloudtrail.user_identity.invoked_by', ['signin.amazonaws.com', 'lambda.amazonaws.com'])),
    sessionContext: optional(
      fc.record({
        sessionIssuer: fc.record({
          type: fc.constant('Role'),
          arn: text('aws.cloudtrail.user_identity.session_context.session_issuer.arn', ['arn:aws:iam::111122223333:role/Admin']),
          userName: fc.constantFrom('Admin', 'Deployer'),
        }),
      }),
    ),
  });

  const outcome = fc.constantFrom('success', 'errorCode', 'errorCodeAndMessage', 'messageOnly');
  return fc
    .record({
      eventSource: text('event.provider', ['rds.amazonaws.com', 'iam.amazonaws.com', 'signin.amazonaws.com', 'monitoring.amazonaws.com', 'waf-regional.amazonaws.com']),
      eventName: text('event.action', ['StartExportTask', 'ConsoleLogin', 'CreateUser', 'DeleteTrail', 'ModifyDBSnapshotAttribute']),
      awsRegion: text('cloud.region', ['us-east-1', 'eu-west-1']),
      sourceIPAddress: text('source.address', ['203.0.113.7', 'AWS Internal', 'ec2.amazonaws.com']),
      userAgent: optional(text('user_agent.original', ['aws-cli/2.15.0', 'Boto3/1.34.0', 'Terraform/1.6.0', 'console.amazonaws.com'])),
      errorCode: text('aws.cloudtrail.error_code', ['AccessDenied', 'DBSnapshotNotFound', 'InvalidParameterValue']).filter(isRealErrorText),
      errorMessage: text('aws.cloudtrail.error_message', ['Failed authentication', 'User is not authorized']).filter(isRealErrorText),
      outcome,
      consoleLoginResult: fc.constantFrom('Success', 'Failure'),
      userIdentity: identity,
      requestParameters: requestParametersArbitrary(hints),
      recipientAccountId: fc.constantFrom('111122223333', '444455556666'),
      eventID: fc.uuid(),
    })
    .map(({ outcome, errorCode, errorMessage, consoleLoginResult, ...fields }) => {
      const isConsoleLogin = fields.eventName === 'ConsoleLogin';
      const record: Record<string, unknown> = {
        eventVersion: '1.08',
        eventTime: '2024-10-10T15:17:35Z',
        eventType: isConsoleLogin ? 'AwsConsoleSignIn' : 'AwsApiCall',
        ...withoutUndefined(fields),
        // Console sign-in records always come from AWS Sign-In.
        ...(isConsoleLogin ? { eventSource: 'signin.amazonaws.com' } : {}),
        userIdentity: withoutUndefined(fields.userIdentity),
      };
      if (outcome === 'errorCode' || outcome === 'errorCodeAndMessage') record.errorCode = errorCode;
      if (outcome === 'errorCodeAndMessage' || (outcome === 'messageOnly' && isConsoleLogin)) record.errorMessage = errorMessage;
      if (isConsoleLogin) record.responseElements = { ConsoleLogin: consoleLoginResult };
      return { record, envelope: envelopeFor(record) };
    });
}

/** The ECS pipeline erases these values; real CloudTrail error fields never hold them (a documented invariant). */
function isRealErrorText(value: string): boolean {
  return !['', '-', 'none'].includes(value);
}

/** The EventBridge envelope AWS delivers a CloudTrail record in. */
export function envelopeFor(record: Record<string, unknown>): Record<string, unknown> {
  const signIn = record.eventType === 'AwsConsoleSignIn';
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': signIn ? 'AWS Console Sign In via CloudTrail' : 'AWS API Call via CloudTrail',
    source: eventBridgeSource(record.eventSource as string),
    account: record.recipientAccountId,
    time: record.eventTime,
    region: record.awsRegion,
    resources: [],
    detail: record,
  };
}

/** The world as this test models it: `aws.<service>`, except CloudWatch whose events say `aws.cloudwatch`. */
function eventBridgeSource(eventSource: string): string {
  if (eventSource === 'monitoring.amazonaws.com') return 'aws.cloudwatch';
  return `aws.${eventSource.replace(/\.amazonaws\.com$/, '')}`;
}

const REQUEST_PARAMETERS_PREFIX = 'aws.cloudtrail.flattened.request_parameters.';

/** requestParameters holding the keys the query names under `aws.cloudtrail.flattened.request_parameters`. */
function requestParametersArbitrary(hints: FieldHints): fc.Arbitrary<Record<string, unknown>> {
  const keys = [...hints.keys()].filter((field) => field.startsWith(REQUEST_PARAMETERS_PREFIX));
  const entries = keys.map((field) =>
    fc.option(hintedString(hints.get(field) ?? [], ['true', 'other']), { nil: undefined }).map((value) => [field.slice(REQUEST_PARAMETERS_PREFIX.length), value] as const),
  );
  return fc.tuple(...entries).map((pairs) => {
    const parameters: Record<string, unknown> = { dBSnapshotIdentifier: 'snap-1' };
    for (const [path, value] of pairs) if (value !== undefined) setPath(parameters, path.split('.'), value);
    return parameters;
  });
}

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

/** A string from the query's own values (wildcards filled in), from a realistic pool, or random. */
function hintedString(hinted: readonly KqlValue[], pool: readonly string[]): fc.Arbitrary<string> {
  const filler = fc.oneof(fc.constantFrom('', 'x', '*', '\\', 'Terraform', ' 1.0'), fc.string({ maxLength: 4 }));
  const fromHints = hinted.map((value) =>
    value.kind === 'literal'
      ? fc.constant(value.value)
      : fc.array(filler, { minLength: value.segments.length - 1, maxLength: value.segments.length - 1 }).map((fills) =>
          value.segments.reduce((text, segment, i) => text + (i > 0 ? fills[i - 1] : '') + segment, ''),
        ),
  );
  const others = [fc.constantFrom(...pool), fc.string({ maxLength: 6 })];
  return fromHints.length > 0 ? fc.oneof({ arbitrary: fc.oneof(...fromHints), weight: 3 }, { arbitrary: fc.oneof(...others), weight: 1 }) : fc.oneof(...others);
}

function collectHints(node: KqlNode, hints: FieldHints = new Map()): FieldHints {
  switch (node.type) {
    case 'and':
    case 'or':
      node.children.forEach((child) => collectHints(child, hints));
      break;
    case 'not':
      collectHints(node.child, hints);
      break;
    case 'is':
      if (node.field?.kind === 'literal') hints.set(node.field.value, [...(hints.get(node.field.value) ?? []), node.value]);
      break;
    default:
      break;
  }
  return hints;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

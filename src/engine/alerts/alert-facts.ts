import type { EcsDocument } from '../ecs/ecs-document';
import { getPath, getText, getTextList } from './field-access';
import { sourceNetworkLabel, userAgentLabel } from './source-labels';

/** Who made the call, as an on-call engineer needs it. */
export interface ActorFacts {
  readonly identityType?: string;
  /** User name, or role name for an assumed role. */
  readonly name?: string;
  /** Role session name (often the person or the job) for assumed roles and federated users. */
  readonly sessionName?: string;
  readonly arn?: string;
  readonly accessKeyId?: string;
  readonly accountId?: string;
  /** Set when an AWS service made the call on the caller's behalf. */
  readonly invokedBy?: string;
  /**
   * Who issued the temporary credentials (`sessionContext.sessionIssuer`): the role of an assumed-role session, the
   * IAM user of a federated one. Revoking a session means acting on the issuer.
   */
  readonly issuer?: SessionIssuerFacts;
}

export interface SessionIssuerFacts {
  /** `Role`, `IAMUser`, `Root`… */
  readonly type?: string;
  readonly arn?: string;
  /** The role or user name: the last segment of the ARN (without its path). */
  readonly name?: string;
  readonly accountId?: string;
}

/** What a `StartExportTask` call asked RDS to do. */
export interface ExportTaskFacts {
  readonly taskId?: string;
  readonly sourceArn?: string;
  readonly sourceKind: 'snapshot' | 'cluster snapshot' | 'cluster' | 'source';
  readonly sourceName?: string;
  readonly bucket?: string;
  readonly prefix?: string;
  readonly kmsKeyId?: string;
  readonly iamRoleArn?: string;
  /** Empty means the whole database is exported. */
  readonly exportOnly: readonly string[];
  readonly status?: string;
}

export interface AlertFacts {
  readonly eventId?: string;
  readonly provider?: string;
  readonly action?: string;
  readonly outcome?: string;
  readonly eventTime?: string;
  /**
   * The account the event happened in (resource owner: the trail's recipient account, else the account the
   * normalizer resolved), which may differ from the caller's account. In an organization deployment this is the
   * member account the event came from, not the security account running the detector.
   */
  readonly account?: string;
  /** Display name of `account` (context `accountNames`), when configured. */
  readonly accountName?: string;
  /** Display name of the caller's account (`actor.accountId`), when configured. */
  readonly callerAccountName?: string;
  readonly region?: string;
  readonly actor: ActorFacts;
  readonly sourceAddress?: string;
  /** AS and location of the source address, e.g. `AS16509 Amazon.com, Inc.; Ashburn, US` (enrichment). */
  readonly sourceNetwork?: string;
  /** The raw user agent. */
  readonly userAgent?: string;
  /** The tool behind it, e.g. `aws-cli 2.17 on macOS` (parsed user agent). */
  readonly userAgentTool?: string;
  readonly exportTask?: ExportTaskFacts;
  /** For other API calls: the most telling request parameter, e.g. a bucket, user or function name. */
  readonly target?: string;
}

const TARGET_PARAMETER_KEYS = [
  'name', 'bucketName', 'userName', 'roleName', 'groupName', 'policyArn', 'functionName', 'dBInstanceIdentifier',
  'dBClusterIdentifier', 'dBSnapshotIdentifier', 'keyId', 'trailName', 'detectorId', 'secretId', 'topicArn',
  'instanceId', 'groupId', 'logGroupName', 'roleArn', 'resourceArn',
] as const;

/** Display names of AWS accounts: 12-digit account id → name (e.g. `Payments-Prod`). */
export type AccountNames = Readonly<Record<string, string>>;

/** Pulls the facts an alert shows first out of a normalized ECS document; `accountNames` adds display names. */
export function extractAlertFacts(document: EcsDocument, accountNames: AccountNames = {}): AlertFacts {
  const request = requestParameters(document);
  const action = getText(document, 'event.action');
  const provider = getText(document, 'event.provider');
  const account = getText(document, 'aws.cloudtrail.recipient_account_id') ?? getText(document, 'cloud.account.id');
  const actor = extractActor(document);
  return {
    eventId: getText(document, 'event.id'),
    provider,
    action,
    outcome: getText(document, 'event.outcome'),
    // On an alert, @timestamp is when the alert was raised; the event's own time is kept as original_time.
    eventTime: getText(document, 'kibana.alert.original_time') ?? getText(document, '@timestamp'),
    account,
    accountName: accountNameOf(accountNames, account),
    callerAccountName: accountNameOf(accountNames, actor.accountId),
    region: getText(document, 'cloud.region'),
    actor,
    sourceAddress: getText(document, 'source.address'),
    sourceNetwork: sourceNetworkLabel(document),
    userAgent: getText(document, 'user_agent.original'),
    userAgentTool: userAgentLabel(document),
    exportTask: action === 'StartExportTask' && provider === 'rds.amazonaws.com' ? extractExportTask(document, request) : undefined,
    target: firstTarget(request),
  };
}

/** Own properties only: an event-supplied id such as `__proto__` or `constructor` must not find a name. */
function accountNameOf(accountNames: AccountNames, account: string | undefined): string | undefined {
  if (account === undefined || !Object.prototype.hasOwnProperty.call(accountNames, account)) return undefined;
  const name = accountNames[account];
  return typeof name === 'string' && name.trim() !== '' ? name.trim() : undefined;
}

/** `Payments-Prod (123456789012)` when the account has a name, else the id; undefined without an account. */
export function accountLabel(account: string | undefined, name: string | undefined): string | undefined {
  if (account === undefined || account === '') return undefined;
  return name ? `${name} (${account})` : account;
}

function extractActor(document: EcsDocument): ActorFacts {
  const arn = getText(document, 'aws.cloudtrail.user_identity.arn');
  const identityType = getText(document, 'aws.cloudtrail.user_identity.type');
  const sessionName =
    arn && /:sts::[^:]*:(assumed-role|federated-user)\//.test(arn) ? arn.slice(arn.lastIndexOf('/') + 1) : undefined;
  return {
    identityType,
    name: getText(document, 'user.name') ?? getText(document, 'service.name'),
    sessionName,
    arn,
    accessKeyId: getText(document, 'aws.cloudtrail.user_identity.access_key_id'),
    accountId: getText(document, 'cloud.account.id'),
    invokedBy: getText(document, 'aws.cloudtrail.user_identity.invoked_by'),
    issuer: extractIssuer(document),
  };
}

function extractIssuer(document: EcsDocument): SessionIssuerFacts | undefined {
  const prefix = 'aws.cloudtrail.user_identity.session_context.session_issuer';
  const arn = getText(document, `${prefix}.arn`);
  const type = getText(document, `${prefix}.type`);
  const accountId = getText(document, `${prefix}.account_id`);
  if (arn === undefined && type === undefined) return undefined;
  return { type, arn, name: arn?.match(/:(?:role|user)\/(?:.*\/)?([^/]+)$/)?.[1], accountId };
}

function extractExportTask(document: EcsDocument, request: Record<string, unknown>): ExportTaskFacts {
  const response = objectAt(document, 'aws.cloudtrail.flattened.response_elements');
  const sourceArn = text(request.sourceArn) ?? text(response.sourceArn);
  return {
    taskId: text(request.exportTaskIdentifier) ?? text(response.exportTaskIdentifier),
    sourceArn,
    ...describeSource(sourceArn),
    bucket: text(request.s3BucketName) ?? text(response.s3Bucket),
    prefix: text(request.s3Prefix) ?? text(response.s3Prefix),
    kmsKeyId: text(request.kmsKeyId) ?? text(response.kmsKeyId),
    iamRoleArn: text(request.iamRoleArn) ?? text(response.iamRoleArn),
    exportOnly: textList(request.exportOnly ?? response.exportOnly),
    status: text(response.status),
  };
}

/** `arn:aws:rds:region:account:snapshot:name` and its cluster forms; anything else is shown as given. */
function describeSource(sourceArn: string | undefined): Pick<ExportTaskFacts, 'sourceKind' | 'sourceName'> {
  const match = sourceArn?.match(/^arn:[^:]+:rds:[^:]*:[^:]*:(snapshot|cluster-snapshot|cluster):(.+)$/);
  if (!match) return { sourceKind: 'source', sourceName: sourceArn };
  const kind = match[1] === 'cluster-snapshot' ? 'cluster snapshot' : (match[1] as 'snapshot' | 'cluster');
  return { sourceKind: kind, sourceName: match[2] };
}

/**
 * The request as an object. The flattened copy is absent when the payload is very large (Elastic drops it past
 * 32,766 characters), so fall back to the raw record kept in `event.original`.
 */
function requestParameters(document: EcsDocument): Record<string, unknown> {
  const flattened = objectAt(document, 'aws.cloudtrail.flattened.request_parameters');
  if (Object.keys(flattened).length > 0) return flattened;
  const original = getText(document, 'event.original');
  if (!original) return {};
  try {
    const record = JSON.parse(original) as { requestParameters?: unknown };
    return isObject(record?.requestParameters) ? record.requestParameters : {};
  } catch {
    return {};
  }
}

function firstTarget(request: Record<string, unknown>): string | undefined {
  for (const key of TARGET_PARAMETER_KEYS) {
    const value = text(request[key]);
    if (value) return value;
  }
  return undefined;
}

function objectAt(document: EcsDocument, path: string): Record<string, unknown> {
  const value = getPath(document, path);
  return isObject(value) ? value : {};
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return getText({ value }, 'value');
}

function textList(value: unknown): string[] {
  return getTextList({ value }, 'value');
}

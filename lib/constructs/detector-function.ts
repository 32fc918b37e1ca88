import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import { Construct } from 'constructs';
import { acknowledge } from '../posture';
import { enrichmentBundleFiles, type DetectorEnrichmentProps } from '../enrichment-bundle';
import { DETECTOR_HANDLER, type DetectorBundleFile, stageDetectorCode } from './detector-code';
import { DetectorRole } from './detector-role';

export interface DetectorFunctionProps {
  readonly topic: sns.ITopic;
  readonly bucket: s3.IBucket;
  readonly archivePrefix: string;
  readonly key: kms.IKey;
  /**
   * Files packaged next to the handler and read at cold start: `rules.json` (the validated rule pack) and
   * `exceptions.json` (the resolved rule exceptions), plus any data a feature adds (see DetectorBundleFile).
   */
  readonly files: readonly DetectorBundleFile[];
  /** Key prefix of the alert suppression windows in the archive bucket (ALERT_SUPPRESSION_PREFIX). */
  readonly suppressionPrefix?: string;
  /** Asynchronous on-failure destination: events that failed after Lambda's retries or aged out (throttling). */
  readonly failureQueue: sqs.IQueue;
  readonly failureKey: kms.IKey;
  /** Reserved concurrency; `undefined` leaves the function on the account's unreserved pool. */
  readonly reservedConcurrency?: number;
  /** Display names of accounts for alerts; packaged as `detector-config.json` next to `rules.json` when not empty. */
  readonly accountNames?: Readonly<Record<string, string>>;
  /** Further environment variables, for settings a feature adds (e.g. a state table's name). */
  readonly environment?: Readonly<Record<string, string>>;
  /** GeoIP/ASN databases and user-agent regexes shipped in the bundle's `enrichment/` folder (default: the shipped ones). */
  readonly enrichment?: DetectorEnrichmentProps;
  /** The state table of new_terms and threshold rules and its key (DetectorRole grants the item actions on it). */
  readonly stateTable?: { readonly tableArn: string; readonly key: kms.IKey };
}

/** Lambda's retries of a failed asynchronous invocation (the maximum). */
export const ASYNC_RETRY_ATTEMPTS = 2;
/**
 * How long Lambda keeps retrying an event (the maximum): a throttled event is retried, with backoff, until then, so
 * a burst beyond the reserved concurrency delays alerts instead of dropping them; past it the event goes to the
 * on-failure queue.
 */
export const ASYNC_MAX_EVENT_AGE = Duration.hours(6);
/**
 * Default reserved concurrency. EventBridge patterns pre-filter to the few calls the rules watch, each handled in
 * milliseconds, so 10 concurrent executions are far above need; the cap bounds what a flood of matching calls can
 * cost (SNS mails, S3 writes) and keeps the detector from starving other functions — and reserving it guarantees the
 * detector capacity when others spike. Override with `-c reservedConcurrency=N`, or `none` for accounts whose
 * concurrency quota is too small to reserve from (Lambda keeps 100 unreserved).
 */
export const DEFAULT_RESERVED_CONCURRENCY = 10;

export const FUNCTION_TIMEOUT = Duration.seconds(30);

/**
 * Pinned, not Runtime.NODEJS_LATEST: the template (and what runs) only changes when this line does.
 * NODEJS_24_X is the newest Node.js runtime in aws-cdk-lib 2.276 (NODEJS_LATEST also resolves to nodejs24.x).
 */
export const DETECTOR_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** The Lambda that normalizes each CloudTrail event, evaluates the rules and delivers alerts. */
export class DetectorFunction extends Construct {
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: DetectorFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const { role } = new DetectorRole(this, 'Role', { ...props, logGroup: this.logGroup });
    const config = detectorConfigFile(props.accountNames ?? {});
    const staged = stageDetectorCode(this, [...props.files, ...(config ? [config] : []), ...enrichmentBundleFiles(props.enrichment ?? {})]);

    try {
      this.function = new lambda.Function(this, 'Function', {
        description: 'Evaluates Elastic KQL rules on CloudTrail events and publishes alerts',
        code: staged.code,
        handler: DETECTOR_HANDLER,
        runtime: DETECTOR_RUNTIME,
        architecture: lambda.Architecture.ARM_64,
        // One event at a time, CPU-light; 256 MB buys a faster CPU share than 128 MB for cold starts.
        memorySize: 256,
        // Normalizing and matching take milliseconds; the budget is for SNS/S3 calls and their SDK retries.
        timeout: FUNCTION_TIMEOUT,
        // Every permission is in DetectorRole; CDK's grants (e.g. for the on-failure destination, which would add
        // kms:ReEncrypt* and kms:GenerateDataKey*) must not add a second, wider policy.
        role: role.withoutPolicyUpdates(),
        logGroup: this.logGroup,
        retryAttempts: ASYNC_RETRY_ATTEMPTS,
        maxEventAge: ASYNC_MAX_EVENT_AGE,
        onFailure: new destinations.SqsDestination(props.failureQueue),
        reservedConcurrentExecutions: props.reservedConcurrency,
        environment: {
          ALERT_TOPIC_ARN: props.topic.topicArn,
          ALERT_ARCHIVE_BUCKET: props.bucket.bucketName,
          ALERT_ARCHIVE_PREFIX: props.archivePrefix,
          ...(props.suppressionPrefix === undefined ? {} : { ALERT_SUPPRESSION_PREFIX: props.suppressionPrefix }),
          // A claim older than this is taken over (docs/delivery.md). Just past the timeout: no live invocation can
          // still hold it, and Lambda's first retry (about a minute after a failure) finds it free.
          ALERT_CLAIM_LEASE_SECONDS: String(FUNCTION_TIMEOUT.toSeconds() + 15),
          NODE_OPTIONS: '--enable-source-maps',
          ...props.environment,
        },
      });
    } finally {
      // The function has taken its asset (CDK copied the staged folder into the cloud assembly).
      staged.release();
    }
    const cfnFunction = this.function.node.defaultChild as lambda.CfnFunction;
    acknowledge(
      cfnFunction,
      'Serverless-LambdaDLQ',
      'Failed asynchronous invocations go to an on-failure destination (EventInvokeConfig, encrypted SQS queue, ' +
        'alarmed) instead of a function DLQ: the destination record carries the error, the retry count and the ' +
        'reason (RetriesExhausted / EventAgeExceeded) besides the event. Configuring both would write every failure twice.',
    );
    acknowledge(
      cfnFunction,
      'Serverless-LambdaTracing',
      'X-Ray active tracing is off on purpose: it needs xray:PutTraceSegments/PutTelemetryRecords on Resource "*" ' +
        'and the function makes at most two downstream calls (SNS, S3) whose failures are already logged, counted ' +
        '(Errors alarm) and captured in the on-failure queue.',
    );
  }
}

/** Read by the function at cold start (lambda/config.ts); absent when there is nothing to configure. */
export const DETECTOR_CONFIG_FILE = 'detector-config.json';

function detectorConfigFile(accountNames: Readonly<Record<string, string>>): DetectorBundleFile | undefined {
  if (Object.keys(accountNames).length === 0) return undefined;
  return { name: DETECTOR_CONFIG_FILE, content: `${JSON.stringify({ accountNames }, Object.keys(accountNames).sort().concat('accountNames'), 2)}\n` };
}

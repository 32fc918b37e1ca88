import { Annotations, Stack } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { PatternGroup } from '../src/engine/eventbridge/group-patterns';
import { type CompiledRule, describeUnsupportedRules, isSequenceRule, rulePackToJson, type UnsupportedRule } from '../src/engine/rules';
import { isStatefulRule } from '../src/engine/stateful';
import { parseAlertEmails } from './alert-emails';
import type { CloudTrailDetectorProps } from './cloudtrail-detector-props';
import { ALERT_ARCHIVE_PREFIX, ALERT_SUPPRESSION_PREFIX, AlertArchive } from './constructs/alert-archive';
import { AlertKey } from './constructs/alert-key';
import { AlertTopic } from './constructs/alert-topic';
import { StateTable } from './constructs/state-table';
import { CentralEventBus } from './constructs/central-event-bus';
import { CloudTrailRuleTrigger } from './constructs/cloudtrail-rule-trigger';
import { DEFAULT_RESERVED_CONCURRENCY, DetectorFunction } from './constructs/detector-function';
import { DeliveryAlarms } from './constructs/delivery-alarms';
import { EventForwarder } from './constructs/event-forwarder';
import { FailureQueues } from './constructs/failure-queues';
import { DetectorConfigError } from './detector-config-error';
import { DetectorRules } from './detector-rules';
import { EXCEPTION_PACK_FILE, type ExceptionPack, formatExceptionRow, resolveExceptionPack } from './exception-pack-file';
import { parseAccountNames, parseOrganizationId } from './organization';
import { applyTags } from './tags';
import { checkEnrichmentProps } from './enrichment-bundle';

/** Warning ids, one per kind, so each can be acknowledged as a whole (`Annotations.of(scope).acknowledgeWarning`). */
export const UNSUPPORTED_RULES_WARNING_ID = 'cloudtrail-stream-detector:unsupportedRuleType';
export const EXPIRED_EXCEPTIONS_WARNING_ID = 'cloudtrail-stream-detector:expiredExceptions';

/**
 * A serverless detector for AWS CloudTrail: EventBridge rules (patterns compiled from the detection rules' queries)
 * send matching API calls to a Lambda function that normalizes them to ECS as Elastic's `aws.cloudtrail`
 * integration does, evaluates the rules and publishes each alert to an SNS topic (a readable e-mail for people, the
 * alert JSON for machines) and archives it in S3. Failures land in encrypted dead-letter queues watched by alarms.
 *
 * ```ts
 * new CloudTrailDetector(stack, 'Detector', { alertEmails: ['secops@example.com'] });
 * ```
 *
 * Rules and exceptions are read, validated and packaged with the function when the detector is constructed;
 * a mistake fails the synth with a `RuleFileError`, `ExceptionFileError` or `DetectorConfigError` naming it.
 */
export class CloudTrailDetector extends Construct {
  /** Alerts are published here (`MessageStructure: json`: `default` is the alert JSON, `email` the text). */
  readonly alertTopic: sns.Topic;
  /** Every alert is archived here, under `alerts/<rule id>/<event id>.json`. */
  readonly archiveBucket: s3.Bucket;
  readonly detectorFunction: lambda.Function;
  /** The dead-letter queues of every delivery step, and their key. */
  readonly failureQueues: FailureQueues;
  /** Where operational alarms notify. */
  readonly opsTopic: sns.ITopic;
  /** Organization mode only: the bus member accounts forward to. */
  readonly centralEventBus?: events.EventBus;
  /** The state of the new_terms and threshold rules (docs/stateful-rules.md); only when the rules include one. */
  readonly stateTable?: dynamodb.Table;
  /** The deployed rules, compiled. */
  readonly rules: readonly CompiledRule[];
  /** Valid rules of types the engine cannot run yet: not deployed. */
  readonly unsupportedRules: readonly UnsupportedRule[];
  /** The EventBridge patterns, grouped per service (what a member-account forwarder must select too). */
  readonly patternGroups: readonly PatternGroup[];
  /** The rule exceptions packaged with the function, resolved at synth (the audit report lists them). */
  readonly exceptions: ExceptionPack;
  /** Where the rules came from (a directory, or `rule objects`). */
  readonly rulesSource: string;

  constructor(scope: Construct, id: string, props: CloudTrailDetectorProps = {}) {
    super(scope, id);
    // S3 server access logs are delivered under a bucket policy (logging.s3.amazonaws.com, scoped to the source
    // bucket) rather than the legacy LogDeliveryWrite ACL, which would need ACLs re-enabled on the log bucket.
    // Set here, before any child exists, so the detector is the same whatever flags the app sets.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const emails = parseAlertEmails(props.alertEmails);
    const reservedConcurrency = checkedReservedConcurrency(props.reservedConcurrency);
    const organizationId = props.organization ? parseOrganizationId(props.organization.organizationId) : undefined;
    if (props.organization && organizationId === undefined) throw new DetectorConfigError('organizationId', 'is empty', 'Give the id of your AWS Organization (o-...)');
    const accountNames = parseAccountNames(props.accountNames);

    const loaded = (props.rules ?? DetectorRules.shipped()).load();
    this.rulesSource = loaded.source;
    this.rules = loaded.compiled;
    this.unsupportedRules = loaded.unsupported;
    this.exceptions = resolveExceptionPack(loaded.definitions, {
      directory: props.exceptions?.directory,
      mapping: props.exceptions?.mapping,
      allowNoExpiry: props.exceptions?.allowWithoutExpiry,
    });
    this.warnAboutSkippedRules(loaded.definitions.length);
    this.warnAboutExpiredExceptions();

    const { key } = new AlertKey(this, 'AlertKey');
    this.failureQueues = new FailureQueues(this, 'Failures');
    const failures = this.failureQueues;
    const alertTopic = new AlertTopic(this, 'AlertTopic', { key, emails, emailDeadLetterQueue: failures.emailDelivery });
    this.alertTopic = alertTopic.topic;
    for (const subscription of props.alertSubscriptions ?? []) this.alertTopic.addSubscription(subscription);
    failures.allowTopicRedrive(this.alertTopic);
    this.archiveBucket = new AlertArchive(this, 'AlertArchive', { key }).bucket;
    // Sequence rules keep their partial sequences there too.
    const state = this.rules.some((compiled) => isStatefulRule(compiled.rule) || isSequenceRule(compiled.rule)) ? new StateTable(this, 'State') : undefined;
    this.stateTable = state?.table;
    const detector = new DetectorFunction(this, 'Detector', {
      topic: this.alertTopic,
      bucket: this.archiveBucket,
      archivePrefix: ALERT_ARCHIVE_PREFIX,
      key,
      files: [
        { name: 'rules.json', content: rulePackToJson(loaded.definitions) },
        { name: EXCEPTION_PACK_FILE, content: this.exceptions.json },
      ],
      suppressionPrefix: ALERT_SUPPRESSION_PREFIX,
      failureQueue: failures.invocationFailures,
      failureKey: failures.key,
      reservedConcurrency,
      accountNames,
      enrichment: checkEnrichmentProps(props.enrichment ?? {}),
      ...(state ? { stateTable: { tableArn: state.table.tableArn, key: state.key }, environment: { STATE_TABLE_NAME: state.table.tableName } } : {}),
    });
    this.detectorFunction = detector.function;
    // Central mode: the rules listen on the organization bus; this account's own events get there through a
    // forwarder on its default bus (the same one member accounts deploy), so the central account stays covered.
    const central = organizationId
      ? new CentralEventBus(this, 'CentralBus', { organizationId, eventBusName: props.organization?.eventBusName })
      : undefined;
    this.centralEventBus = central?.bus;
    const triggers = new CloudTrailRuleTrigger(this, 'Triggers', {
      rules: this.rules,
      target: this.detectorFunction,
      deadLetterQueue: failures.eventDelivery,
      eventBus: central?.bus,
    });
    this.patternGroups = triggers.groups;
    if (central) {
      new EventForwarder(this, 'LocalForwarder', {
        groups: triggers.groups,
        targetBusArn: central.bus.eventBusArn,
        // Same account and region as the triggers: the alarmed EventDelivery queue and its key policy already fit.
        deadLetterQueue: failures.eventDelivery,
      });
    }

    if (props.opsTopic) {
      this.opsTopic = props.opsTopic;
    } else {
      this.opsTopic = this.alertTopic;
      alertTopic.allowCloudWatchAlarms();
    }
    new DeliveryAlarms(this, 'Alarms', { function: this.detectorFunction, queues: failures.queues, topic: this.opsTopic });

    applyTags(this, props.tags);
    const allowNoSubscribers = props.allowNoSubscribers === true;
    this.node.addValidation({
      validate: () =>
        allowNoSubscribers || this.hasSubscriber()
          ? []
          : ['alertEmails: no one would receive alerts. Give alertEmails or alertSubscriptions, or set allowNoSubscribers (alerts are then only archived)'],
    });
  }

  /** Any SNS subscription to the alert topic in the app: from the props, or added to the topic later. */
  private hasSubscriber(): boolean {
    const stack = Stack.of(this.alertTopic);
    const topicArn = JSON.stringify(stack.resolve(this.alertTopic.topicArn));
    return this.node.root.node
      .findAll()
      .some((construct) => construct instanceof sns.CfnSubscription && Stack.of(construct) === stack && JSON.stringify(stack.resolve(construct.topicArn)) === topicArn);
  }

  private warnAboutSkippedRules(deployedCount: number): void {
    const lines = describeUnsupportedRules(this.unsupportedRules, deployedCount);
    if (lines.length > 0) Annotations.of(this).addWarningV2(UNSUPPORTED_RULES_WARNING_ID, `rules (${this.rulesSource}): ${lines.join('\n')}`);
  }

  private warnAboutExpiredExceptions(): void {
    const expired = this.exceptions.rows.filter((row) => row.expired);
    if (expired.length === 0) return;
    Annotations.of(this).addWarningV2(
      EXPIRED_EXCEPTIONS_WARNING_ID,
      [`exceptions: ${expired.length} expired, no longer applied; remove or renew them`, ...expired.map((row) => `  - ${formatExceptionRow(row)}`)].join('\n'),
    );
  }
}

function checkedReservedConcurrency(value: number | 'none' | undefined): number | undefined {
  if (value === undefined) return DEFAULT_RESERVED_CONCURRENCY;
  if (value === 'none') return undefined;
  if (!Number.isInteger(value) || value < 1) {
    throw new DetectorConfigError('reservedConcurrency', `must be a positive integer or "none", got ${JSON.stringify(value)}`);
  }
  return value;
}

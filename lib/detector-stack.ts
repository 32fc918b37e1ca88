import { CfnOutput, Stack, type StackProps, Token } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { join, resolve } from 'node:path';
import { parseAlertEmails } from './alert-emails';
import { ALERT_ARCHIVE_PREFIX, ALERT_SUPPRESSION_PREFIX, AlertArchive } from './constructs/alert-archive';
import { AlertKey } from './constructs/alert-key';
import { AlertTopic } from './constructs/alert-topic';
import { CentralEventBus } from './constructs/central-event-bus';
import { CloudTrailRuleTrigger } from './constructs/cloudtrail-rule-trigger';
import { DEFAULT_RESERVED_CONCURRENCY, DetectorFunction } from './constructs/detector-function';
import { checkEnrichmentProps, type DetectorEnrichmentProps } from './enrichment-bundle';
import { DeliveryAlarms } from './constructs/delivery-alarms';
import { EventForwarder } from './constructs/event-forwarder';
import { FailureQueues } from './constructs/failure-queues';
import { parseAccountNames, parseOrganizationId } from './organization';
import { parseExceptionSettings, writeExceptionPackFile, type ExceptionPackFile } from './exception-pack-file';
import { writeRulePackFile } from './rule-pack-file';

const DEFAULT_RULES_DIRECTORY = join(__dirname, '..', 'rules');

/**
 * CloudTrail (default bus) → one EventBridge rule per detection rule → detector Lambda → SNS topic + S3 archive.
 * Context: `alertEmails` (comma-separated e-mail subscriptions), `rulesDir` (default: `rules/` in the repository),
 * `opsTopicArn` (existing SNS topic for operational alarms; default: the alert topic), `reservedConcurrency`
 * (number, or `none`; default 10), `organizationId` (central mode, docs/organization.md: the rules listen on a custom
 * bus the organization's accounts forward to), `accountNames` (JSON object account id → display name, for alerts),
 * `exceptionsDir` (Kibana exception list exports, default `exceptions/` in the repository when present),
 * `exceptionMapping` (JSON rule id → list ids) and `allowExceptionsWithoutExpiry` (docs/exceptions.md), `enrich`
 * (`false`: no GeoIP/ASN/user-agent fields), `geoipDatabase` and `asnDatabase` (your own GeoLite2/GeoIP2 files,
 * docs/enrichment.md).
 * Delivery design and posture: docs/posture.md.
 * Environment-agnostic: no account/region and no lookups, so it synthesizes offline.
 */
export class DetectorStack extends Stack {
  /** The rule exceptions packaged with the function, resolved at synth (the audit report lists them). */
  readonly exceptions: ExceptionPackFile;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, { analyticsReporting: false, ...props });
    // S3 server access logs are delivered under a bucket policy (logging.s3.amazonaws.com, scoped to the source
    // bucket) rather than the legacy LogDeliveryWrite ACL, which would need ACLs re-enabled on the log bucket.
    // Set here, before any child exists, so `cdk synth` and the tests agree whatever cdk.json says.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const emails = parseAlertEmails(this.node.tryGetContext('alertEmails'));
    const rulesDirectory = resolve(this.node.tryGetContext('rulesDir') ?? DEFAULT_RULES_DIRECTORY);
    const rulePack = writeRulePackFile(this, rulesDirectory);
    this.exceptions = writeExceptionPackFile(this, rulePack.rules.map((compiled) => compiled.rule), parseExceptionSettings(this));

    const opsTopicArn = parseOpsTopicArn(this.node.tryGetContext('opsTopicArn'));
    const reservedConcurrency = parseReservedConcurrency(this.node.tryGetContext('reservedConcurrency'));
    const organizationId = parseOrganizationId(this.node.tryGetContext('organizationId'));
    const accountNames = parseAccountNames(this.node.tryGetContext('accountNames'));
    const enrichment = parseEnrichmentContext(this);

    const { key } = new AlertKey(this, 'AlertKey');
    const failures = new FailureQueues(this, 'Failures');
    const alertTopic = new AlertTopic(this, 'AlertTopic', { key, emails, emailDeadLetterQueue: failures.emailDelivery });
    const { topic } = alertTopic;
    failures.allowTopicRedrive(topic);
    const { bucket } = new AlertArchive(this, 'AlertArchive', { key });
    const detector = new DetectorFunction(this, 'Detector', {
      topic,
      bucket,
      archivePrefix: ALERT_ARCHIVE_PREFIX,
      key,
      rulePackPath: rulePack.path,
      exceptionPackPath: this.exceptions.path,
      suppressionPrefix: ALERT_SUPPRESSION_PREFIX,
      failureQueue: failures.invocationFailures,
      failureKey: failures.key,
      reservedConcurrency,
      accountNames,
      enrichment,
    });
    // Central mode: the rules listen on the organization bus; this account's own events get there through a
    // forwarder on its default bus (the same one member accounts deploy), so the central account stays covered.
    const central = organizationId ? new CentralEventBus(this, 'CentralBus', { organizationId }) : undefined;
    const triggers = new CloudTrailRuleTrigger(this, 'Triggers', {
      rules: rulePack.rules,
      target: detector.function,
      deadLetterQueue: failures.eventDelivery,
      eventBus: central?.bus,
    });
    if (central) {
      new EventForwarder(this, 'LocalForwarder', {
        groups: triggers.groups,
        targetBusArn: central.bus.eventBusArn,
        // Same account and region as the triggers: the alarmed EventDelivery queue and its key policy already fit.
        deadLetterQueue: failures.eventDelivery,
      });
      new CfnOutput(this, 'CentralEventBusArn', { value: central.bus.eventBusArn, description: 'Central bus the forwarders put events on (forwarder parameter CentralEventBusArn)' });
    }

    let opsTopic: sns.ITopic = topic;
    if (opsTopicArn) {
      // The existing topic's owner must let cloudwatch.amazonaws.com publish (and use its key, if encrypted).
      opsTopic = sns.Topic.fromTopicArn(this, 'OpsTopic', opsTopicArn);
    } else {
      alertTopic.allowCloudWatchAlarms();
    }
    new DeliveryAlarms(this, 'Alarms', { function: detector.function, queues: failures.queues, topic: opsTopic });

    new CfnOutput(this, 'AlertTopicArn', { value: topic.topicArn, description: 'SNS topic alerts are published to' });
    new CfnOutput(this, 'AlertArchiveBucketName', { value: bucket.bucketName, description: 'S3 bucket alerts are archived in' });
    // Names docs/redrive.md (the `redrive` CLI) looks up.
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: failures.eventDelivery.queueUrl, description: 'EventBridge target DLQ: events not delivered to the function' });
    new CfnOutput(this, 'FailedInvocationQueueUrl', { value: failures.invocationFailures.queueUrl, description: 'Lambda on-failure destination: events the function failed on' });
    new CfnOutput(this, 'EmailDeadLetterQueueUrl', { value: failures.emailDelivery.queueUrl, description: 'Alerts SNS could not deliver to an e-mail address' });
    new CfnOutput(this, 'OpsTopicArn', { value: opsTopic.topicArn, description: 'SNS topic operational alarms notify' });
    new CfnOutput(this, 'DetectorFunctionName', { value: detector.function.functionName, description: 'Detector Lambda function' });
  }
}

/**
 * `enrich` (`true` by default, `false` to ship no enrichment), `geoipDatabase` and `asnDatabase` (paths to the
 * user's .mmdb files, checked now so a wrong one fails the synth with its name).
 */
function parseEnrichmentContext(stack: Stack): DetectorEnrichmentProps {
  const enrich = stack.node.tryGetContext('enrich');
  const text = (key: string): string | undefined => {
    const value = stack.node.tryGetContext(key);
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') throw new Error(`Context ${key} must be a path to a .mmdb file, got ${JSON.stringify(value)}`);
    return value;
  };
  if (enrich !== undefined && enrich !== true && enrich !== false && enrich !== 'true' && enrich !== 'false') {
    throw new Error(`Context enrich must be true or false, got ${JSON.stringify(enrich)}`);
  }
  const enabled = enrich !== false && enrich !== 'false';
  const props = { enabled, geoDatabase: text('geoipDatabase'), asnDatabase: text('asnDatabase') };
  if (!enabled && (props.geoDatabase || props.asnDatabase)) throw new Error('Context enrich=false cannot be combined with geoipDatabase or asnDatabase');
  return checkEnrichmentProps(props);
}

/** `opsTopicArn` context: absent/empty (use the alert topic) or an SNS topic ARN; anything else fails the synth. */
export function parseOpsTopicArn(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(value)) {
    throw new Error(`opsTopicArn must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>), got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `reservedConcurrency` context: a positive integer, `none` (no reservation), or absent (the default). */
export function parseReservedConcurrency(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return DEFAULT_RESERVED_CONCURRENCY;
  if (value === 'none') return undefined;
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(number) || number < 1 || Token.isUnresolved(value)) {
    throw new Error(`reservedConcurrency must be a positive integer or "none", got ${JSON.stringify(value)}`);
  }
  return number;
}

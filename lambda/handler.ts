import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { DynamoDbStateStore } from '../src/dynamodb/dynamodb-state-store';
import { createDetector } from '../src/engine/detector';
import type { EcsDocument } from '../src/engine/ecs/ecs-document';
import { findMatchingException } from '../src/engine/exceptions';
import type { DetectionRule } from '../src/engine/rules/detection-rule';
import { isSequenceRule } from '../src/engine/rules/eql-rule';
import { isStatefulRule } from '../src/engine/stateful';
import { accountMismatch, InvalidEventError, unwrapEventBridgeEvent } from '../src/engine/input/eventbridge-envelope';
import { isUndeliveredAlertRequest } from '../src/engine/alerts/undelivered-alert-request';
import { readDetectorConfig, readExceptionPack, readHandlerConfig } from './config';
import { bundledEnrichmentFiles } from './enrichment';
import { enrichmentFromFiles } from '../src/enrichment/file-enrichment';
import type { AlertDelivery } from './delivery/deliver-alert';
import { emfLine, handleMatch } from './delivery/suppress-match';
import { redeliverArchivedAlert, type RedeliveredAlert } from './delivery/redeliver-archived-alert';
import { loadRulePack } from './load-rule-pack';
import { createLogger } from './log';

/**
 * Lambda entry point for EventBridge "AWS API Call via CloudTrail" events (rds:StartExportTask), and for requests to
 * re-deliver an archived alert that was never delivered (`redrive --undelivered-alerts`, docs/redrive.md).
 * A thin adapter: the engine decides what is an alert; this file only unwraps, delivers and logs.
 *
 * Environment:
 * - ALERT_TOPIC_ARN, ALERT_ARCHIVE_BUCKET (required), ALERT_ARCHIVE_PREFIX (default `alerts/`)
 * - DETECTOR_RULES_PATH (default: `rules.json` bundled next to this file)
 * - DETECTOR_CONFIG_PATH (default: `detector-config.json` next to this file, optional): account display names
 * - DETECTOR_EXCEPTIONS_PATH (default: `exceptions.json` next to this file, optional): resolved rule exceptions
 * - DETECTOR_ENRICHMENT_DIR (default: this file's folder): where `enrichment/` (GeoIP/ASN databases, user-agent
 *   regexes) is looked for; each file is optional
 * - ALERT_SUPPRESSION_PREFIX (default `suppression/`): where alert suppression windows are kept in the archive bucket
 * - ALERT_CLAIM_LEASE_SECONDS (default 300): how long a delivery claim blocks other deliveries of the same alert;
 *   must exceed the function timeout (docs/delivery.md)
 * - STATE_TABLE_NAME: the DynamoDB table of new_terms and threshold state (docs/stateful-rules.md); required when the
 *   rule pack holds such rules
 * - AWS_ENDPOINT_URL_DYNAMODB (optional, read by the SDK): a local DynamoDB endpoint for tests
 * - AWS_ENDPOINT_URL_SNS / AWS_ENDPOINT_URL_S3 (optional, read by the SDK itself): local endpoints
 *   for tests. Give S3 an IP-literal URL (http://127.0.0.1:PORT): the SDK's S3 endpoint rules then
 *   address buckets path-style on their own, so there is no test-only "force path style" switch here.
 */

// Cold start, once per container: a bad configuration or rule pack fails here, loudly, before any event.
const config = readHandlerConfig(process.env, path.join(__dirname, 'rules.json'));
// GeoIP/ASN databases and user-agent regexes shipped in the bundle (enrichment/): opened on the first event that
// needs them, then kept for the container's life. DETECTOR_ENRICHMENT_DIR for tests.
const enrichmentFiles = bundledEnrichmentFiles(process.env.DETECTOR_ENRICHMENT_DIR?.trim() || __dirname);
const rules = loadRulePack(config.rulesPath);
// Optional deployment settings bundled next to rules.json (account display names); DETECTOR_CONFIG_PATH for tests.
const { accountNames } = readDetectorConfig(process.env.DETECTOR_CONFIG_PATH?.trim() || path.join(__dirname, 'detector-config.json'));
// Rule exceptions resolved at synth (docs/exceptions.md); DETECTOR_EXCEPTIONS_PATH for tests.
const exceptions = readExceptionPack(process.env.DETECTOR_EXCEPTIONS_PATH?.trim() || path.join(__dirname, 'exceptions.json'));
const statefulRules = rules.filter((compiled) => isStatefulRule(compiled.rule) || isSequenceRule(compiled.rule));
if (statefulRules.length > 0 && config.stateTableName === undefined) {
  throw new Error(
    `Detector Lambda is misconfigured: the rule pack holds ${statefulRules.length} new_terms, threshold or eql sequence rule(s) and STATE_TABLE_NAME is not set (the DynamoDB table of their state)`,
  );
}
// One DynamoDB client per container, like the S3 and SNS clients; strongly consistent reads, conditional writes.
const state = config.stateTableName ? new DynamoDbStateStore({ client: new DynamoDBClient({}), tableName: config.stateTableName }) : undefined;
const detector = createDetector(rules, { enrichment: enrichmentFromFiles(enrichmentFiles), state, isExcepted: exceptedBeforeState });
const delivery: AlertDelivery = {
  sns: new SNSClient({}),
  topicArn: config.alertTopicArn,
  archive: { client: new S3Client({}), bucket: config.archiveBucket, prefix: config.archivePrefix },
  claimLeaseMs: config.claimLeaseSeconds * 1000,
  accountNames,
};
createLogger().info('detector initialised', {
  rulesPath: config.rulesPath,
  ruleIds: detector.rules.map((compiled) => compiled.rule.ruleId),
  claimLeaseSeconds: config.claimLeaseSeconds,
  enrichment: Object.keys(enrichmentFiles),
  ...(config.stateTableName ? { stateTable: config.stateTableName, statefulRules: statefulRules.length } : {}),
  exceptionItems: Object.fromEntries([...exceptions].map(([ruleId, lists]) => [ruleId, lists.flatMap((list) => list.items.map((item) => `${list.listId}/${item.itemId}`))])),
});

export interface InvocationSummary {
  /** Rules the event matched. */
  readonly alerts: number;
  /**
   * Of those, matches an earlier delivery of the same event had already handled: published, or archived as
   * suppressed (`duplicate_suppressed`); nothing sent again, nothing counted again.
   */
  readonly duplicates: number;
  /** Of those, matches this delivery did not publish because of an exception or a suppression window (absent when 0). */
  readonly suppressed?: number;
  /**
   * Present when the event was refused without evaluating it (docs/organization.md, "Trust"), or a re-delivery request
   * was refused (`redelivery` says why).
   */
  readonly refused?: 'account_mismatch' | 'undelivered_alert';
  /** For a request to re-deliver an archived alert: what became of it (docs/redrive.md). */
  readonly redelivery?: RedeliveredAlert;
}

export async function handler(
  event: EventBridgeEvent<'AWS API Call via CloudTrail', unknown>,
  context: Context,
): Promise<InvocationSummary> {
  if (isUndeliveredAlertRequest(event)) return redeliver(event, context);
  const envelopeId = typeof event?.id === 'string' ? event.id : undefined;
  let log = createLogger({ awsRequestId: context.awsRequestId, envelopeId });
  try {
    const { record, envelope } = unwrapEventBridgeEvent(event);
    log = log.child({ eventId: logField(record.eventID), eventName: logField(record.eventName) });
    checkRecord(record, envelopeId);
    const mismatch = accountMismatch(record, envelope);
    if (mismatch !== undefined) {
      // Not retried (a retry would see the same event), not evaluated: counted, and logged for whoever investigates.
      process.stdout.write(emfLine('RefusedEvents', { Reason: 'AccountMismatch' }, { EnvelopeAccount: mismatch.envelopeAccount, RecipientAccountId: mismatch.recipientAccountId }));
      log.error('event refused: its envelope account is not the account its CloudTrail record was delivered to', { ...mismatch, envelopeSource: envelope.source });
      return { alerts: 0, duplicates: 0, refused: 'account_mismatch' };
    }

    const receivedAt = new Date();
    const detections = await detector.detect(record, { receivedAt, envelope });
    // One at a time: a failure stops before later alerts, and the retry redoes them all (those already
    // published are recognised by their archive objects and suppressed).
    let duplicates = 0;
    let suppressed = 0;
    for (const detection of detections) {
      const handled = await handleMatch(detection, { delivery, exceptions, suppressionPrefix: config.suppressionPrefix, receivedAt }, log, context.awsRequestId);
      if (handled.outcome === 'duplicate' || handled.outcome === 'duplicate_suppressed') duplicates += 1;
      else if (handled.outcome === 'suppressed_by_exception' || handled.outcome === 'suppressed_by_window') suppressed += 1;
    }

    log.info('event processed', { alerts: detections.length, duplicates, ...(suppressed > 0 ? { suppressed } : {}) });
    return { alerts: detections.length, duplicates, ...(suppressed > 0 ? { suppressed } : {}) };
  } catch (error) {
    log.error('event processing failed', { error });
    throw error;
  }
}

/**
 * A direct invocation asking to re-deliver one archived alert (never an EventBridge event: the stack's rules match
 * CloudTrail detail-types only). Refusals are returned, not thrown: a retry would see the same; a claim another
 * invocation holds, and S3 or SNS failures, are thrown so that Lambda retries.
 */
async function redeliver(request: unknown, context: Context): Promise<InvocationSummary> {
  const log = createLogger({ awsRequestId: context.awsRequestId, invocation: 'undelivered-alert' });
  try {
    const redelivery = await redeliverArchivedAlert(request, { delivery, exceptions, suppressionPrefix: config.suppressionPrefix, rules }, log, context.awsRequestId);
    const { outcome } = redelivery;
    if (outcome === 'refused') return { alerts: 0, duplicates: 0, refused: 'undelivered_alert', redelivery };
    const duplicates = outcome === 'duplicate' || outcome === 'duplicate_suppressed' ? 1 : 0;
    const suppressed = outcome === 'suppressed_by_exception' || outcome === 'suppressed_by_window' ? 1 : 0;
    log.info('archived alert handled', { archiveKey: redelivery.archiveKey, outcome });
    return { alerts: 1, duplicates, ...(suppressed > 0 ? { suppressed } : {}), redelivery };
  } catch (error) {
    log.error('re-delivery of an archived alert failed', { error });
    throw error;
  }
}

/**
 * Exceptions of new_terms and threshold rules apply before their state, as Elastic filters its searches: an excepted
 * event is neither a sighting nor counted, and there is no alert to archive. It is logged and counted in the same
 * metric as other excepted matches (docs/exceptions.md).
 */
function exceptedBeforeState(rule: DetectionRule, document: EcsDocument): boolean {
  const excepted = findMatchingException(exceptions.get(rule.ruleId) ?? [], document, new Date());
  if (excepted === undefined) return false;
  const event = document.event as { id?: unknown } | undefined;
  const eventId = typeof event?.id === 'string' ? event.id : '';
  process.stdout.write(emfLine('SuppressedByException', { RuleId: rule.ruleId, ExceptionItemId: excepted.item.itemId }, { ExceptionListId: excepted.list.listId, EventId: eventId }));
  createLogger({ eventId }).info('event excepted before the state of a stateful rule', {
    ruleId: rule.ruleId,
    exceptionListId: excepted.list.listId,
    exceptionItemId: excepted.item.itemId,
    exceptionItemName: excepted.item.name,
  });
  return true;
}

/**
 * The fields the detector itself relies on: eventSource and eventName select the rules, eventID names the archive
 * object that makes delivery exactly-once. A record without them (or with other types) is not a CloudTrail record;
 * it is rejected loudly rather than evaluated, or alerted on under a made-up id.
 */
function checkRecord(record: Readonly<Record<string, unknown>>, envelopeId: string | undefined): void {
  const problems = (['eventID', 'eventSource', 'eventName'] as const).flatMap((name) => {
    const value = record[name];
    if (typeof value === 'string' && value !== '') return [];
    return [`${name} must be a non-empty string, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : value === '' ? 'an empty string' : typeof value}`];
  });
  if (problems.length > 0) {
    throw new InvalidEventError(`EventBridge event ${envelopeId ?? '(without id)'} holds a malformed CloudTrail record: ${problems.join('; ')}`, envelopeId);
  }
}

/** A record value for the log line: strings as they are (the logger escapes them), numbers/booleans as text, capped. */
function logField(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 200 ? `${value.slice(0, 200)}...` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

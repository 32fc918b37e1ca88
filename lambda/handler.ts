import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { createDetector } from '../src/engine/detector';
import { unwrapEventBridgeEvent } from '../src/engine/input/eventbridge-envelope';
import { readHandlerConfig } from './config';
import { deliverAlert, type AlertDelivery } from './delivery/deliver-alert';
import { loadRulePack } from './load-rule-pack';
import { createLogger } from './log';

/**
 * Lambda entry point for EventBridge "AWS API Call via CloudTrail" events (rds:StartExportTask).
 * A thin adapter: the engine decides what is an alert; this file only unwraps, delivers and logs.
 *
 * Environment:
 * - ALERT_TOPIC_ARN, ALERT_ARCHIVE_BUCKET (required), ALERT_ARCHIVE_PREFIX (default `alerts/`)
 * - DETECTOR_RULES_PATH (default: `rules.json` bundled next to this file)
 * - AWS_ENDPOINT_URL_SNS / AWS_ENDPOINT_URL_S3 (optional, read by the SDK itself): local endpoints
 *   for tests. Give S3 an IP-literal URL (http://127.0.0.1:PORT): the SDK's S3 endpoint rules then
 *   address buckets path-style on their own, so there is no test-only "force path style" switch here.
 */

// Cold start, once per container: a bad configuration or rule pack fails here, loudly, before any event.
const config = readHandlerConfig(process.env, path.join(__dirname, 'rules.json'));
const detector = createDetector(loadRulePack(config.rulesPath));
const delivery: AlertDelivery = {
  sns: new SNSClient({}),
  topicArn: config.alertTopicArn,
  archive: { client: new S3Client({}), bucket: config.archiveBucket, prefix: config.archivePrefix },
};
createLogger().info('detector initialised', {
  rulesPath: config.rulesPath,
  ruleIds: detector.rules.map((compiled) => compiled.rule.ruleId),
});

export interface InvocationSummary {
  readonly alerts: number;
}

export async function handler(
  event: EventBridgeEvent<'AWS API Call via CloudTrail', unknown>,
  context: Context,
): Promise<InvocationSummary> {
  const envelopeId = typeof event?.id === 'string' ? event.id : undefined;
  let log = createLogger({ awsRequestId: context.awsRequestId, envelopeId });
  try {
    const { record, envelope } = unwrapEventBridgeEvent(event);
    log = log.child({ eventId: stringField(record, 'eventID'), eventName: stringField(record, 'eventName') });

    const detections = detector.detect(record, { receivedAt: new Date(), envelope });
    // One at a time: a failure stops before later alerts, and the retry redoes them all.
    for (const detection of detections) {
      await deliverAlert(detection, delivery, log);
    }

    log.info('event processed', { alerts: detections.length });
    return { alerts: detections.length };
  } catch (error) {
    log.error('event processing failed', { error });
    throw error;
  }
}

function stringField(record: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = record[name];
  return typeof value === 'string' ? value : undefined;
}

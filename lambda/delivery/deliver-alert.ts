import type { SNSClient } from '@aws-sdk/client-sns';
import { buildAlertNotification, genericSubject } from '../../src/engine/alerts';
import type { Detection } from '../../src/engine/detector';
import type { Logger } from '../log';
import { archiveAlert, type AlertArchive } from './archive-alert';
import { publishAlert } from './publish-alert';

export interface AlertDelivery {
  readonly sns: SNSClient;
  readonly topicArn: string;
  readonly archive: AlertArchive;
}

export interface DeliveredAlert {
  readonly ruleId: string;
  readonly eventId: string;
  readonly archiveKey: string;
  readonly snsMessageId: string | undefined;
}

/**
 * Archives, then publishes, one alert. Errors propagate: the invocation fails and Lambda retries it.
 *
 * Why archive first: the put is idempotent (deterministic key), the publish is not.
 * - Archive fails: nothing was sent; the retry starts clean.
 * - Publish fails after the archive: the retry overwrites the same object, then publishes once.
 * Publishing first would turn "archive failed" into a duplicate notification on every retry, and
 * would let a notification exist that the archive never recorded. The remaining duplicate (publish
 * succeeded but the invocation still failed) is what the planned S3 conditional-write marker removes.
 */
export async function deliverAlert(detection: Detection, delivery: AlertDelivery, log: Logger): Promise<DeliveredAlert> {
  const { alert, rule } = detection;
  const ruleId = rule.rule.ruleId;
  const eventId = alertEventId(alert, ruleId);
  const notification = buildAlertNotification(alert, rule.rule);

  const archiveKey = await archiveAlert(delivery.archive, alert, ruleId, eventId);
  const { messageId: snsMessageId, subjectReplaced } = await publishAlert(
    delivery.sns,
    delivery.topicArn,
    notification,
    genericSubject(rule.rule),
  );

  if (subjectReplaced) {
    log.warn('SNS rejected the alert subject; published with the generic subject', { ruleId, eventId, subject: notification.subject });
  }
  log.info('alert published', {
    ruleId,
    ruleName: rule.rule.name,
    severity: notification.attributes.severity,
    eventId,
    archiveBucket: delivery.archive.bucket,
    archiveKey,
    snsMessageId,
  });
  return { ruleId, eventId, archiveKey, snsMessageId };
}

/** The CloudTrail event id the alert was raised for (`event.id`): names the archived object. */
function alertEventId(alert: Detection['alert'], ruleId: string): string {
  const event = alert.event;
  const id = typeof event === 'object' && event !== null ? (event as { id?: unknown }).id : undefined;
  if (typeof id !== 'string' || id === '') {
    // Without it the archive key is not deterministic and retries would scatter copies.
    throw new Error(`Alert of rule ${ruleId} has no event.id: cannot archive it under a stable key`);
  }
  return id;
}

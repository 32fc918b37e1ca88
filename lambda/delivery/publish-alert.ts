import { PublishCommand, type MessageAttributeValue, type SNSClient } from '@aws-sdk/client-sns';
import type { AlertNotification } from '../../src/engine/alerts/alert-types';

export interface PublishedAlert {
  readonly messageId: string | undefined;
  /** SNS refused the notification's subject and the generic one was sent instead. */
  readonly subjectReplaced: boolean;
}

/**
 * Publishes a built notification to the alert topic.
 *
 * The subject is the one part made from event data that SNS validates on its own terms (ASCII-only rules
 * have changed before); if SNS rejects it, every Lambda retry would be rejected the same way and the alert
 * lost. So that one rejection is answered by publishing again with `genericSubject`, which holds nothing
 * from the event. Any other error propagates.
 */
export async function publishAlert(
  client: SNSClient,
  topicArn: string,
  notification: AlertNotification,
  genericSubject: string,
): Promise<PublishedAlert> {
  const publish = async (subject: string) => {
    const output = await client.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: subject,
        Message: notification.message,
        // `message` holds per-protocol bodies: full alert JSON for `default`, readable text for `email`.
        MessageStructure: 'json',
        MessageAttributes: toMessageAttributes(notification.attributes),
      }),
    );
    return output.MessageId;
  };

  try {
    return { messageId: await publish(notification.subject), subjectReplaced: false };
  } catch (error) {
    if (!isSubjectRejected(error) || notification.subject === genericSubject) throw error;
    return { messageId: await publish(genericSubject), subjectReplaced: true };
  }
}

/** SNS answers `InvalidParameter` / "Invalid parameter: Subject" for a subject it does not accept. */
function isSubjectRejected(error: unknown): boolean {
  return error instanceof Error && error.name === 'InvalidParameterException' && /\bSubject\b/.test(error.message);
}

/**
 * SNS rejects a String attribute whose value is empty, and that rejection would repeat on every
 * retry; an attribute that is unknown for this alert is left out instead, which filter policies
 * treat as "does not match" (the same as a value they do not list).
 */
function toMessageAttributes(attributes: AlertNotification['attributes']): Record<string, MessageAttributeValue> {
  const messageAttributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== '') messageAttributes[name] = { DataType: 'String', StringValue: value };
  }
  return messageAttributes;
}

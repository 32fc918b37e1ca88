// The smallest useful alerting Lambda: publish the incoming event to SNS. The bench compares our bundle with it.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';

const sns = new SNSClient({});

export async function handler(event: unknown): Promise<void> {
  await sns.send(new PublishCommand({ TopicArn: process.env.ALERT_TOPIC_ARN, Message: JSON.stringify(event) }));
}

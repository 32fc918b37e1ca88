// The AWS calls the detector makes and nothing else: publish the event to SNS and archive it in S3, with the SDK
// clients created once per container as ours are. The bench compares our bundle with it to show what our own code
// (engine, rules, enrichment, alert text) adds on top of the SDK clients any such function needs.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';

const sns = new SNSClient({});
const s3 = new S3Client({});

export async function handler(event: { id?: string }): Promise<void> {
  const body = JSON.stringify(event);
  await s3.send(new PutObjectCommand({ Bucket: process.env.ALERT_ARCHIVE_BUCKET, Key: `alerts/${event.id ?? 'unknown'}.json`, Body: body, IfNoneMatch: '*' }));
  await sns.send(new PublishCommand({ TopicArn: process.env.ALERT_TOPIC_ARN, Message: body }));
}

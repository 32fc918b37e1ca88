import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { startSnsRecorder, type SnsRecorder } from './sns-recorder';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:111122223333:detector-alerts';

describe('SNS recorder', () => {
  let recorder: SnsRecorder;
  let client: SNSClient;

  beforeAll(async () => {
    recorder = await startSnsRecorder();
    client = new SNSClient({
      endpoint: recorder.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      // Keep the failure tests fast and deterministic: one retry at most.
      maxAttempts: 2,
    });
  });
  afterEach(() => recorder.reset());
  afterAll(async () => {
    client.destroy();
    await recorder.stop();
  });

  it('records what the installed SDK sends for Publish and answers with a MessageId', async () => {
    const output = await client.send(
      new PublishCommand({
        TopicArn: TOPIC_ARN,
        Subject: 'Subject & <text>',
        Message: JSON.stringify({ default: 'a=b&c' }),
        MessageStructure: 'json',
        MessageAttributes: {
          severity: { DataType: 'String', StringValue: 'medium' },
          rule_id: { DataType: 'String', StringValue: 'rule-1' },
        },
      }),
    );

    expect(recorder.publishes).toHaveLength(1);
    const [publish] = recorder.publishes;
    expect(output.MessageId).toBe(publish.messageId);
    expect(publish).toMatchObject({
      protocol: 'query',
      topicArn: TOPIC_ARN,
      subject: 'Subject & <text>',
      message: JSON.stringify({ default: 'a=b&c' }),
      messageStructure: 'json',
      messageAttributes: {
        severity: { dataType: 'String', stringValue: 'medium' },
        rule_id: { dataType: 'String', stringValue: 'rule-1' },
      },
    });
  });

  it('fails the requested number of calls with a server error the SDK retries', async () => {
    recorder.failNext(1, 'InternalError');
    await client.send(new PublishCommand({ TopicArn: TOPIC_ARN, Message: 'retried' }));
    expect(recorder.publishAttempts).toBe(2);
    expect(recorder.publishes.map((publish) => publish.message)).toEqual(['retried']);
  });

  it('fails with a client error the SDK surfaces by its code', async () => {
    recorder.failNext(1, 'InvalidParameter');
    await expect(client.send(new PublishCommand({ TopicArn: TOPIC_ARN, Message: 'rejected' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Injected failure: invalid parameter',
    });
    expect(recorder.publishAttempts).toBe(1);
    expect(recorder.publishes).toHaveLength(0);
  });

  it('also understands the AWS JSON 1.0 dialect', async () => {
    const response = await fetch(`${recorder.endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AmazonSimpleNotificationService.Publish',
      },
      body: JSON.stringify({
        TopicArn: TOPIC_ARN,
        Message: 'json',
        MessageAttributes: { region: { DataType: 'String', StringValue: 'us-east-1' } },
      }),
    });

    expect(response.status).toBe(200);
    const body = (await response.json()) as { MessageId: string };
    expect(recorder.publishes).toEqual([
      expect.objectContaining({
        protocol: 'json',
        messageId: body.MessageId,
        topicArn: TOPIC_ARN,
        message: 'json',
        messageAttributes: { region: { dataType: 'String', stringValue: 'us-east-1' } },
      }),
    ]);
  });
});

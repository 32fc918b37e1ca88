import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * The CLI's DynamoDB client (`baseline`). Region, credentials, AWS_PROFILE and AWS_ENDPOINT_URL_DYNAMODB come from
 * the standard SDK settings; throttling is retried in the SDK's adaptive mode, 10 attempts unless AWS_RETRY_MODE or
 * AWS_MAX_ATTEMPTS say otherwise (the Lambda keeps the SDK's defaults: a failed invocation is retried by Lambda).
 */
export function createDynamoDbClient(): DynamoDBClient {
  const env = process.env;
  return new DynamoDBClient({
    ...(env.AWS_RETRY_MODE ? {} : { retryMode: 'adaptive' }),
    ...(env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: 10 }),
    ...(env.AWS_REGION || env.AWS_DEFAULT_REGION || env.AWS_PROFILE ? {} : { region: 'us-east-1' }),
  });
}

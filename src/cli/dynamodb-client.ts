import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { cliClientSettings } from './sdk-settings';

/**
 * `baseline`'s DynamoDB client, with the CLI's SDK settings (AWS_ENDPOINT_URL_DYNAMODB among them). The Lambda keeps
 * the SDK's defaults instead: an invocation that fails is retried by Lambda.
 */
export function createDynamoDbClient(): DynamoDBClient {
  return new DynamoDBClient(cliClientSettings());
}

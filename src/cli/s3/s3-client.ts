import { S3Client } from '@aws-sdk/client-s3';
import { cliClientSettings } from '../sdk-settings';

/**
 * The run's one S3 client, with the CLI's SDK settings (src/cli/sdk-settings.ts: throttling such as SlowDown and 503
 * retried in adaptive mode, us-east-1 unless configured). Sockets are pooled for the concurrent reads.
 */
export function createS3Client(): S3Client {
  return new S3Client(cliClientSettings());
}

/** The client's region for messages, or undefined when it cannot be resolved. */
export async function clientRegion(client: S3Client): Promise<string | undefined> {
  try {
    const region = client.config.region;
    return typeof region === 'function' ? await region() : region;
  } catch {
    return undefined;
  }
}

import { S3Client } from '@aws-sdk/client-s3';

/**
 * The run's one S3 client. Region, credentials, AWS_PROFILE and AWS_ENDPOINT_URL_S3 come from the standard SDK
 * settings. Throttling (SlowDown, 503) is retried by the SDK: adaptive mode with 10 attempts unless AWS_RETRY_MODE or
 * AWS_MAX_ATTEMPTS say otherwise. Sockets are pooled for the concurrent reads.
 */
export function createS3Client(): S3Client {
  const env = process.env;
  return new S3Client({
    ...(env.AWS_RETRY_MODE ? {} : { retryMode: 'adaptive' }),
    ...(env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: 10 }),
    // The default region keeps a scan usable without configuration; a bucket elsewhere is reported with its region.
    ...(env.AWS_REGION || env.AWS_DEFAULT_REGION || env.AWS_PROFILE ? {} : { region: 'us-east-1' }),
  });
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

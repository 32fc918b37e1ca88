/**
 * The SDK settings every AWS client of the CLI shares (S3 for scan, DynamoDB for baseline). Region, credentials,
 * AWS_PROFILE and AWS_ENDPOINT_URL_<SERVICE> come from the standard SDK settings. Throttling is retried by the SDK:
 * adaptive mode with 10 attempts unless AWS_RETRY_MODE or AWS_MAX_ATTEMPTS say otherwise. The default region keeps a
 * run usable without configuration; a resource elsewhere is reported with its region.
 */
export function cliClientSettings(env: NodeJS.ProcessEnv = process.env): { retryMode?: string; maxAttempts?: number; region?: string } {
  return {
    ...(env.AWS_RETRY_MODE ? {} : { retryMode: 'adaptive' }),
    ...(env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: 10 }),
    ...(env.AWS_REGION || env.AWS_DEFAULT_REGION || env.AWS_PROFILE ? {} : { region: 'us-east-1' }),
  };
}

import { formatS3Url } from './s3-url';

/** The parts of an SDK error that say what went wrong. */
interface SdkErrorLike {
  readonly name?: string;
  readonly Code?: string;
  readonly message?: string;
  readonly Region?: string;
  readonly BucketRegion?: string;
  readonly Endpoint?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $response?: { readonly statusCode?: number; readonly headers?: Record<string, string | undefined> };
}

/**
 * One line for an S3 failure, naming the bucket and key or prefix (and the bucket's region when S3 gives it), e.g.
 * `s3://trail/AWSLogs/: access denied (AccessDenied): check the credentials' s3:ListBucket permission`.
 */
export function describeS3Error(error: unknown, bucket: string, key: string, operation: 'list' | 'get', configuredRegion?: string): string {
  const sdk = (error ?? {}) as SdkErrorLike;
  const code = sdk.Code ?? sdk.name ?? 'Error';
  const status = sdk.$metadata?.httpStatusCode ?? sdk.$response?.statusCode;
  const where = formatS3Url(bucket, key);
  const bucketRegion = sdk.$response?.headers?.['x-amz-bucket-region'] ?? sdk.BucketRegion ?? sdk.Region;
  if (code === 'PermanentRedirect' || code === 'AuthorizationHeaderMalformed' || code === 'IllegalLocationConstraintException' || status === 301) {
    const configured = configuredRegion === undefined ? '' : `, not ${configuredRegion}`;
    return bucketRegion
      ? `${where}: bucket '${bucket}' is in region ${bucketRegion}${configured}; run with AWS_REGION=${bucketRegion}`
      : `${where}: bucket '${bucket}' is in another region${configured} (${code}); set AWS_REGION to the bucket's region`;
  }
  switch (code) {
    case 'AccessDenied':
    case 'AllAccessDisabled':
      return `${where}: access denied (${code}) to bucket '${bucket}'; the credentials need ${operation === 'list' ? 's3:ListBucket' : 's3:GetObject'}${operation === 'get' ? ' (and kms:Decrypt for SSE-KMS trails)' : ''}`;
    case 'NoSuchBucket':
      return `${where}: no such bucket '${bucket}' (NoSuchBucket)`;
    case 'NoSuchKey':
      return `${where}: no such key (NoSuchKey); it was deleted after it was listed`;
    case 'InvalidAccessKeyId':
    case 'SignatureDoesNotMatch':
    case 'ExpiredToken':
    case 'InvalidToken':
      return `${where}: the AWS credentials were rejected (${code})`;
    case 'CredentialsProviderError':
      return `${where}: no AWS credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)`;
    default: {
      const message = (sdk.message ?? '').split('\n')[0];
      const detail = message && message !== code && message !== 'UnknownError' ? `: ${message}` : '';
      return `${where}: ${operation === 'list' ? 'cannot list' : 'cannot read'} (${code}${status ? `, HTTP ${status}` : ''})${detail}`;
    }
  }
}

/** True for the errors an abort (Ctrl-C) causes, which are not worth reporting. */
export function isAbortError(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'AbortError' || name === 'RequestAbortedError';
}

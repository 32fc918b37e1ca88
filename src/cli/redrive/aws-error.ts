/** One line for an SQS or Lambda failure: `Name: message (HTTP status)`. */
export function describeAwsError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const name = error.name !== 'Error' ? `${error.name}: ` : '';
  return `${name}${error.message}${status === undefined ? '' : ` (HTTP ${status})`}`;
}

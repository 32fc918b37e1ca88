/** A PATH argument of the form `s3://bucket/prefix`. */
export interface S3Location {
  readonly bucket: string;
  /** Key prefix inside the bucket; '' for the whole bucket. */
  readonly prefix: string;
}

export function isS3Url(arg: string): boolean {
  return /^s3:\/\//i.test(arg);
}

/** Parses `s3://bucket[/prefix]`; returns an error message for anything else. */
export function parseS3Url(arg: string): S3Location | { readonly error: string } {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/is.exec(arg);
  const bucket = match?.[1] ?? '';
  if (!match || !/^[a-z0-9][a-z0-9.\-_]{1,254}$/i.test(bucket)) return { error: `not an S3 location: '${arg}' (expected s3://bucket/prefix)` };
  return { bucket, prefix: match[2] ?? '' };
}

export function formatS3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

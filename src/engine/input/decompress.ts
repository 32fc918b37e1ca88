import { gunzipSync } from 'node:zlib';

/** gzip's magic number. CloudTrail writes `.json.gz` objects, but names are not trusted: the bytes decide. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Returns the bytes unchanged unless they are gzip, in which case they are inflated. Throws on a corrupt stream. */
export function gunzipIfCompressed(bytes: Uint8Array): Uint8Array {
  return isGzip(bytes) ? gunzipSync(bytes) : bytes;
}

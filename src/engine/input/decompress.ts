import { gunzipSync } from 'node:zlib';
import { DEFAULT_MAX_OBJECT_BYTES, isGzip } from './inflate';

export { isGzip } from './inflate';

/**
 * Returns the bytes unchanged unless they are gzip, in which case they are inflated, synchronously, up to
 * `maxBytes` (a RangeError beyond). Throws on a corrupt stream. For callers with the whole content at hand (tests,
 * tools, a gzip nested in an object); the scan inflates each object once with `inflateObject`, which salvages.
 */
export function gunzipIfCompressed(bytes: Uint8Array, maxBytes = DEFAULT_MAX_OBJECT_BYTES): Uint8Array {
  return isGzip(bytes) ? gunzipSync(bytes, { maxOutputLength: maxBytes }) : bytes;
}

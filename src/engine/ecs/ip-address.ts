import { isIP } from 'node:net';

/** `convert type: ip` succeeds only when the whole value is one IPv4 or IPv6 address. */
export function isIpAddress(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && isIP(value) !== 0;
}

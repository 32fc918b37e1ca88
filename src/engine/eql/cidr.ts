/**
 * `cidrMatch` blocks. Elasticsearch accepts CIDR blocks (host bits allowed, `10.6.48.157/8`) and single addresses
 * (a /32 or /128 block), IPv4 and IPv6.
 */
import { isIP } from 'node:net';
import { type AddressMatcher, compileCidr } from '../kql/cidr';

export type { AddressMatcher };

export function compileCidrBlock(text: string): AddressMatcher | undefined {
  if (text.includes('/')) return compileCidr(text);
  const version = isIP(text);
  return version === 0 ? undefined : compileCidr(`${text}/${version === 4 ? 32 : 128}`);
}

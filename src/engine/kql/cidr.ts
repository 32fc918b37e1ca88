/**
 * CIDR membership for `source.ip: 10.0.0.0/8`. Elasticsearch does this for `ip`-mapped fields; without a mapping
 * we apply it by shape, as the detection-rules evaluator does: a CIDR query value against an IP-looking string.
 */
import { BlockList, isIP } from 'node:net';

export type AddressMatcher = (address: string) => boolean;

const CIDR = /^([^/\s]+)\/(\d{1,3})$/;

/** Returns a membership test when `text` is an IPv4 or IPv6 CIDR block (host bits allowed), else undefined. */
export function compileCidr(text: string): AddressMatcher | undefined {
  const match = CIDR.exec(text);
  if (!match) return undefined;
  const [, network, prefixText] = match;
  const version = isIP(network);
  const prefix = Number(prefixText);
  if (version === 0 || prefix > (version === 4 ? 32 : 128)) return undefined;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const block = new BlockList();
  block.addSubnet(network, prefix, family);
  return (address) => {
    const addressVersion = isIP(address);
    if (addressVersion === 0) return false;
    return block.check(address, addressVersion === 4 ? 'ipv4' : 'ipv6');
  };
}

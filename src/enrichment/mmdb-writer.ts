/**
 * Writes MaxMind DB (MMDB v2) files: an IPv6 search tree (IPv4 networks under ::/96, where MaxMind readers look for
 * IPv4 addresses) and a data section of deduplicated records. Used to turn the shipped ASN table (published as CSV)
 * into the format the lookup reads, and by the tests to build databases holding MaxMind's test entries.
 * Format: https://maxmind.github.io/MaxMind-DB/
 */
import { isIP } from 'node:net';

export type MmdbValue = string | number | boolean | readonly MmdbValue[] | { readonly [key: string]: MmdbValue };

export interface MmdbMetadata {
  /** e.g. `GeoLite2-ASN`: readers such as Elasticsearch pick the record layout by its suffix. */
  readonly databaseType: string;
  readonly description: Readonly<Record<string, string>>;
  readonly languages?: readonly string[];
  /** Seconds since the epoch; fixed by callers that want reproducible files. */
  readonly buildEpoch: number;
}

const METADATA_MARKER = Buffer.from([0xab, 0xcd, 0xef, ...Buffer.from('MaxMind.com', 'ascii')]);
const DATA_SECTION_SEPARATOR = 16;
const IPV6_BITS = 128;
const IPV4_IN_IPV6_OFFSET = 96;

/** 16 bytes of an IPv6 address; an IPv4 address becomes ::a.b.c.d. */
export function ipBytes(address: string): Uint8Array {
  const version = isIP(address);
  const bytes = new Uint8Array(16);
  if (version === 4) {
    address.split('.').forEach((part, index) => (bytes[12 + index] = Number(part)));
    return bytes;
  }
  if (version !== 6) throw new Error(`not an IP address: ${JSON.stringify(address)}`);
  let text = address;
  const embeddedV4 = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (embeddedV4) {
    const v4 = embeddedV4[1].split('.').map(Number);
    text = `${text.slice(0, -embeddedV4[1].length)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined ? [] : tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? headGroups : [...headGroups, ...new Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  groups.forEach((group, index) => {
    const value = parseInt(group, 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  });
  return bytes;
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function bigIntToBytes(value: bigint): Uint8Array {
  const bytes = new Uint8Array(16);
  let rest = value;
  for (let index = 15; index >= 0; index--) {
    bytes[index] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return bytes;
}

/** Trailing zero bits of a non-zero value, capped at `limit`. */
function trailingZeros(value: bigint, limit: number): number {
  let zeros = 0;
  while (zeros < limit && ((value >> BigInt(zeros)) & 1n) === 0n) zeros++;
  return zeros;
}

/** The CIDR blocks covering first..last exactly (both in the IPv6 space). */
export function rangeToPrefixes(first: Uint8Array, last: Uint8Array): { start: Uint8Array; prefixLength: number }[] {
  const prefixes: { start: Uint8Array; prefixLength: number }[] = [];
  let start = bytesToBigInt(first);
  const end = bytesToBigInt(last);
  if (end < start) throw new Error('range ends before it starts');
  while (start <= end) {
    // The largest aligned block starting at `start` that does not pass `end`.
    const remaining = end - start + 1n;
    const fits = remaining.toString(2).length - 1;
    const size = start === 0n ? Math.min(fits, IPV6_BITS) : Math.min(trailingZeros(start, IPV6_BITS), fits);
    prefixes.push({ start: bigIntToBytes(start), prefixLength: IPV6_BITS - size });
    start += 1n << BigInt(size);
  }
  return prefixes;
}

function ipv4Number(address: string): number {
  return address.split('.').reduce((value, part) => value * 256 + Number(part), 0);
}

/** rangeToPrefixes for IPv4 in plain numbers (the shipped ASN table has 400,000 IPv4 ranges): [start, length]. */
function ipv4RangeToPrefixes(first: number, last: number): [start: number, prefixLength: number][] {
  const prefixes: [number, number][] = [];
  let start = first;
  while (start <= last) {
    let size = 0;
    while (size < 32 && start % 2 ** (size + 1) === 0 && start + 2 ** (size + 1) - 1 <= last) size++;
    prefixes.push([start, 32 - size]);
    start += 2 ** size;
  }
  return prefixes;
}

/**
 * The search tree: node i has children left[i] and right[i]; 0 means "no data" (the root is never a child), a
 * positive value is a node, a negative value -(r + 1) is record r.
 */
export class MmdbWriter {
  private left: Int32Array = new Int32Array(1024);
  private right: Int32Array = new Int32Array(1024);
  private nodeCount = 1;
  private readonly records: MmdbValue[] = [];
  private readonly recordIndex = new Map<string, number>();

  /** `address/prefixLength`; an IPv4 network counts its prefix in IPv4 bits. Later inserts win where networks overlap. */
  insertNetwork(address: string, prefixLength: number, record: MmdbValue): void {
    const bits = isIP(address) === 4 ? IPV4_IN_IPV6_OFFSET + prefixLength : prefixLength;
    this.insert(ipBytes(address), bits, this.recordReference(record));
  }

  /** Every address from `first` to `last` (same IP version, inclusive). */
  insertRange(first: string, last: string, record: MmdbValue): void {
    const reference = this.recordReference(record);
    if (isIP(first) === 4 && isIP(last) === 4) {
      for (const [start, prefixLength] of ipv4RangeToPrefixes(ipv4Number(first), ipv4Number(last))) {
        this.insertIpv4(start, prefixLength, reference);
      }
      return;
    }
    for (const { start, prefixLength } of rangeToPrefixes(ipBytes(first), ipBytes(last))) this.insert(start, prefixLength, reference);
  }

  private ipv4Root = 0;

  /** The node at ::/96 under which IPv4 lives, made once: IPv4 inserts start there instead of walking 96 zero bits. */
  private ipv4RootNode(): number {
    if (this.ipv4Root === 0) {
      let node = 0;
      for (let bit = 0; bit < IPV4_IN_IPV6_OFFSET; bit++) {
        const child = this.left[node];
        const next = child > 0 ? child : this.newNode(child);
        this.left[node] = next;
        node = next;
      }
      this.ipv4Root = node;
    }
    return this.ipv4Root;
  }

  private insertIpv4(address: number, prefixLength: number, reference: number): void {
    if (prefixLength < 1) throw new Error("an IPv4 range covering every address is not supported");
    let node = this.ipv4RootNode();
    for (let bit = 0; bit < prefixLength; bit++) {
      const side = (address >>> (31 - bit)) & 1;
      if (bit === prefixLength - 1) {
        (side === 0 ? this.left : this.right)[node] = reference;
        return;
      }
      const child = (side === 0 ? this.left : this.right)[node];
      const next = child > 0 ? child : this.newNode(child);
      (side === 0 ? this.left : this.right)[node] = next;
      node = next;
    }
  }

  private recordReference(record: MmdbValue): number {
    const key = JSON.stringify(record);
    let index = this.recordIndex.get(key);
    if (index === undefined) {
      index = this.records.length;
      this.records.push(record);
      this.recordIndex.set(key, index);
    }
    return -(index + 1);
  }

  private newNode(fill: number): number {
    if (this.nodeCount === this.left.length) {
      const grow = (array: Int32Array): Int32Array => {
        const bigger = new Int32Array(array.length * 2);
        bigger.set(array);
        return bigger;
      };
      this.left = grow(this.left);
      this.right = grow(this.right);
    }
    const node = this.nodeCount++;
    this.left[node] = fill;
    this.right[node] = fill;
    return node;
  }

  private insert(address: Uint8Array, prefixLength: number, reference: number): void {
    if (prefixLength < 1 || prefixLength > IPV6_BITS) throw new Error(`prefix length ${prefixLength} out of range`);
    let node = 0;
    for (let bit = 0; bit < prefixLength; bit++) {
      const side = (address[bit >> 3] >> (7 - (bit & 7))) & 1;
      const children = side === 0 ? this.left : this.right;
      if (bit === prefixLength - 1) {
        children[node] = reference;
        return;
      }
      const child = children[node];
      // An empty branch or a shorter network's record splits into a node that inherits it on both sides.
      const next = child > 0 ? child : this.newNode(child);
      (side === 0 ? this.left : this.right)[node] = next;
      node = next;
    }
  }

  /** The database file. */
  toBuffer(metadata: MmdbMetadata): Buffer {
    const data = new DataSectionEncoder();
    const offsets = this.records.map((record) => data.write(record));
    const dataSection = data.toBuffer();
    const nodeCount = this.nodeCount;
    const largest = nodeCount + DATA_SECTION_SEPARATOR + dataSection.length;
    const recordSize = largest < 2 ** 24 ? 24 : largest < 2 ** 28 ? 28 : 32;
    const value = (child: number): number =>
      child === 0 ? nodeCount : child > 0 ? child : nodeCount + DATA_SECTION_SEPARATOR + offsets[-child - 1];
    const nodeBytes = recordSize / 4;
    const tree = Buffer.alloc(nodeCount * nodeBytes);
    for (let node = 0; node < nodeCount; node++) {
      writeNode(tree, node * nodeBytes, recordSize, value(this.left[node]), value(this.right[node]));
    }
    const meta = new DataSectionEncoder();
    meta.write({
      binary_format_major_version: uint16(2),
      binary_format_minor_version: uint16(0),
      build_epoch: uint64(metadata.buildEpoch),
      database_type: metadata.databaseType,
      description: metadata.description,
      ip_version: uint16(6),
      languages: metadata.languages ?? ['en'],
      node_count: uint32(nodeCount),
      record_size: uint16(recordSize),
    } as unknown as MmdbValue);
    return Buffer.concat([tree, Buffer.alloc(DATA_SECTION_SEPARATOR), dataSection, METADATA_MARKER, meta.toBuffer()]);
  }
}

function writeNode(tree: Buffer, at: number, recordSize: number, left: number, right: number): void {
  if (recordSize === 24) {
    tree.writeUIntBE(left, at, 3);
    tree.writeUIntBE(right, at + 3, 3);
  } else if (recordSize === 28) {
    tree.writeUIntBE(left & 0xffffff, at, 3);
    tree[at + 3] = ((left >>> 24) << 4) | (right >>> 24);
    tree.writeUIntBE(right & 0xffffff, at + 4, 3);
  } else {
    tree.writeUInt32BE(left, at);
    tree.writeUInt32BE(right, at + 4);
  }
}

/** Metadata numbers need explicit widths; record numbers are encoded by value (see encodeNumber). */
class SizedUnsigned {
  constructor(readonly type: 5 | 6 | 9, readonly value: number) {}
}
const uint16 = (value: number): SizedUnsigned => new SizedUnsigned(5, value);
const uint32 = (value: number): SizedUnsigned => new SizedUnsigned(6, value);
const uint64 = (value: number): SizedUnsigned => new SizedUnsigned(9, value);

const TYPE_UTF8 = 2;
const TYPE_DOUBLE = 3;
const TYPE_UINT32 = 6;
const TYPE_MAP = 7;
const TYPE_INT32 = 8;
const TYPE_ARRAY = 11;
const TYPE_BOOLEAN = 14;

class DataSectionEncoder {
  private readonly chunks: Buffer[] = [];
  private length = 0;

  /** Appends a value; returns its offset in the section. */
  write(value: MmdbValue | SizedUnsigned): number {
    const offset = this.length;
    this.encode(value);
    return offset;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }

  private push(buffer: Buffer): void {
    this.chunks.push(buffer);
    this.length += buffer.length;
  }

  private control(type: number, size: number): void {
    const extended = type > 7;
    const head: number[] = [];
    let sizeBits: number;
    const tail: number[] = [];
    if (size < 29) sizeBits = size;
    else if (size < 285) {
      sizeBits = 29;
      tail.push(size - 29);
    } else if (size < 65821) {
      sizeBits = 30;
      tail.push((size - 285) >> 8, (size - 285) & 0xff);
    } else {
      sizeBits = 31;
      const rest = size - 65821;
      tail.push((rest >> 16) & 0xff, (rest >> 8) & 0xff, rest & 0xff);
    }
    head.push(((extended ? 0 : type) << 5) | sizeBits);
    if (extended) head.push(type - 7);
    this.push(Buffer.from([...head, ...tail]));
  }

  private unsigned(type: number, value: number): void {
    const bytes: number[] = [];
    let rest = BigInt(value);
    while (rest > 0n) {
      bytes.unshift(Number(rest & 0xffn));
      rest >>= 8n;
    }
    this.control(type, bytes.length);
    this.push(Buffer.from(bytes));
  }

  private encode(value: MmdbValue | SizedUnsigned): void {
    if (value instanceof SizedUnsigned) {
      this.unsigned(value.type, value.value);
    } else if (typeof value === 'string') {
      const bytes = Buffer.from(value, 'utf8');
      this.control(TYPE_UTF8, bytes.length);
      this.push(bytes);
    } else if (typeof value === 'boolean') {
      this.control(TYPE_BOOLEAN, value ? 1 : 0);
    } else if (typeof value === 'number') {
      this.encodeNumber(value);
    } else if (Array.isArray(value)) {
      this.control(TYPE_ARRAY, value.length);
      for (const element of value) this.encode(element);
    } else {
      const entries = Object.entries(value as Record<string, MmdbValue>);
      this.control(TYPE_MAP, entries.length);
      for (const [key, member] of entries) {
        this.encode(key);
        this.encode(member);
      }
    }
  }

  /** Whole numbers as uint32 (int32 when negative), like MaxMind's own databases; others as doubles. */
  private encodeNumber(value: number): void {
    if (Number.isInteger(value) && value >= 0 && value <= 0xffffffff) {
      this.unsigned(TYPE_UINT32, value);
    } else if (Number.isInteger(value) && value < 0 && value >= -0x80000000) {
      const bytes = Buffer.alloc(4);
      bytes.writeInt32BE(value);
      this.control(TYPE_INT32, 4);
      this.push(bytes);
    } else {
      const bytes = Buffer.alloc(8);
      bytes.writeDoubleBE(value);
      this.control(TYPE_DOUBLE, 8);
      this.push(bytes);
    }
  }
}

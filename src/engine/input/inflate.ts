import * as zlib from 'node:zlib';

/**
 * Decompressing one input object, bounded and salvaging. CloudTrail writes gzip (`.json.gz`); names are not trusted,
 * gzip's magic bytes decide.
 *
 * - **Bounded**: at most `maxBytes` of output per object, counted while inflating, so a small gzip of zeros never
 *   grows past the limit in memory (it took 3.3 GB locally, 16.9 GB over s3://). Plain (uncompressed) content
 *   counts the same. Beyond the limit: one error naming it; what was inflated before it is kept.
 * - **Salvaging**: a gzip stream damaged or cut short keeps what inflated before the damage (the error names the
 *   compressed byte offset); bytes after a complete gzip stream that are not another gzip member are a warning, not a
 *   loss (`gzip -d` recovers such files too); zero padding after it is ignored, as gzip does.
 *
 * Members are inflated one by one (header parsed here, deflate data through zlib's raw inflater, trailer checked):
 * zlib's own gunzip discards the end of a member's output when junk follows it.
 */

/** The default per-object limit: far above the largest CloudTrail log objects (tens of MB of JSON), below V8's
 * string limit (about 512 MiB), so one object never exhausts memory or fails as a string-length error. */
export const DEFAULT_MAX_OBJECT_BYTES = 256 * 1024 * 1024;

export interface InflateNote {
  /** `error`: something was not read (the object counts as failed); `warning`: nothing lost. */
  readonly severity: 'error' | 'warning';
  /** One sentence, without the object's name (the caller prefixes it). */
  readonly message: string;
}

export interface InflatedContent {
  readonly bytes: Uint8Array;
  /** False when reading stopped early (damage or the limit): `bytes` is then a prefix of the object's content. */
  readonly complete: boolean;
  readonly notes: readonly InflateNote[];
}

/** gzip's magic number and deflate method byte. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function describeLimit(maxBytes: number): string {
  const mib = maxBytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MiB` : `${maxBytes} bytes`;
}

/** Inflates `bytes` if they are gzip (every member), else checks them against the limit. Never throws. */
export async function inflateObject(bytes: Uint8Array, maxBytes: number = DEFAULT_MAX_OBJECT_BYTES): Promise<InflatedContent> {
  if (!isGzip(bytes)) {
    if (bytes.length <= maxBytes) return { bytes, complete: true, notes: [] };
    return { bytes: bytes.subarray(0, maxBytes), complete: false, notes: [overLimit(maxBytes)] };
  }
  const output = new OutputBuffer(maxBytes);
  const notes: InflateNote[] = [];
  let offset = 0;
  let members = 0;
  while (offset < bytes.length) {
    if (members > 0 && !isGzip(bytes.subarray(offset))) {
      const rest = bytes.subarray(offset);
      if (!rest.every((byte) => byte === 0)) {
        notes.push({ severity: 'warning', message: `${rest.length} byte(s) of trailing data after the end of the gzip data at byte offset ${offset} were ignored (all the gzip data was read)` });
      }
      break;
    }
    const header = gzipHeaderLength(bytes, offset);
    if (header === undefined) {
      notes.push({ severity: 'error', message: `damaged gzip header at byte offset ${offset}: ${members > 0 ? 'the member before it was read, the rest was not' : 'nothing could be read'}` });
      return { bytes: output.result(), complete: false, notes };
    }
    const member = await inflateMember(bytes, offset + header, output, members === 0);
    if (member.kind === 'limit') {
      notes.push(overLimit(maxBytes));
      return { bytes: output.result(), complete: false, notes };
    }
    if (member.kind === 'damaged') {
      notes.push({ severity: 'error', message: `gzip data damaged at or after byte offset ${offset + header + member.consumed} of ${bytes.length} (${member.reason}); the records before it were scanned, the rest was not read` });
      return { bytes: output.result(), complete: false, notes };
    }
    const trailer = offset + header + member.consumed;
    if (trailer + 8 > bytes.length) {
      notes.push({ severity: 'error', message: `gzip data ends early at byte offset ${bytes.length} (its trailer is missing); the records before it were scanned` });
      return { bytes: output.result(), complete: false, notes };
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset + trailer, 8);
    const lengthMatches = view.getUint32(4, true) === member.length % 2 ** 32;
    if (!lengthMatches || (member.crc !== undefined && view.getUint32(0, true) !== member.crc)) {
      // Damaged data can still inflate: the deflate stream then ends at a wrong place, so nothing after it is trusted.
      notes.push({ severity: 'error', message: `gzip data damaged before byte offset ${trailer} (its ${lengthMatches ? 'CRC-32' : 'length'} check fails); the records read were scanned, the rest was not read` });
      return { bytes: output.result(), complete: false, notes };
    }
    offset = trailer + 8;
    members += 1;
  }
  return { bytes: output.result(), complete: notes.every((note) => note.severity !== 'error'), notes };
}

function overLimit(maxBytes: number): InflateNote {
  return {
    severity: 'error',
    message: `holds more than ${describeLimit(maxBytes)} of data, the per-object limit (--max-object-size); the records within the limit were scanned, the rest was not read`,
  };
}

/** Length of the gzip member header at `offset` (RFC 1952: fixed 10 bytes, then FEXTRA, FNAME, FCOMMENT, FHCRC), or undefined. */
function gzipHeaderLength(bytes: Uint8Array, offset: number): number | undefined {
  if (bytes.length - offset < 10 || bytes[offset] !== 0x1f || bytes[offset + 1] !== 0x8b || bytes[offset + 2] !== 8) return undefined;
  const flags = bytes[offset + 3] as number;
  if ((flags & 0xe0) !== 0) return undefined;
  let at = offset + 10;
  if (flags & 0x04) {
    if (at + 2 > bytes.length) return undefined;
    at += 2 + ((bytes[at] as number) | ((bytes[at + 1] as number) << 8));
  }
  for (const flag of [0x08, 0x10]) {
    if (!(flags & flag)) continue;
    while (at < bytes.length && bytes[at] !== 0) at += 1;
    at += 1;
  }
  if (flags & 0x02) at += 2;
  return at <= bytes.length ? at - offset : undefined;
}

type MemberResult =
  | { readonly kind: 'done'; readonly consumed: number; readonly crc: number | undefined; readonly length: number }
  | { readonly kind: 'damaged'; readonly consumed: number; readonly reason: string }
  | { readonly kind: 'limit' };

/** zlib.crc32 exists from Node 20.15 / 22.2; without it the trailer's CRC is not checked (the length still is). */
const crc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/**
 * Inflates the raw deflate data starting at `start` into `output`; resolves how it ended. A sound member within the
 * limit (nearly every one) is inflated in one synchronous call, natively, without a round trip per chunk through
 * zlib's thread pool; anything else (damage, a cut, the limit) is inflated again, streaming, to salvage what comes
 * before the problem. Only the first member (CloudTrail writes one) is tried so, and the call may only produce what the
 * object's last four bytes (the gzip trailer's length of a one-member object) announce, and only when that fits the
 * limit: a bomb of many members, or a trailer that lies, is inflated as before, streaming, in bounded slices.
 */
function inflateMember(bytes: Uint8Array, start: number, output: OutputBuffer, first: boolean): Promise<MemberResult> {
  const announced = first && bytes.length >= 4 ? new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0, true) : Infinity;
  const whole = announced <= output.remaining() ? inflateWholeMember(bytes, start, announced) : undefined;
  if (whole !== undefined) {
    output.append(whole.buffer);
    return Promise.resolve({ kind: 'done', consumed: whole.consumed, crc: crc32 === undefined ? undefined : crc32(whole.buffer), length: whole.buffer.length });
  }
  return inflateMemberStreaming(bytes, start, output);
}

/** One member inflated in one call, with the input bytes it used; undefined when it is damaged, cut or too large. */
function inflateWholeMember(bytes: Uint8Array, start: number, limit: number): { buffer: Buffer; consumed: number } | undefined {
  try {
    const { buffer, engine } = zlib.inflateRawSync(bytes.subarray(start), { maxOutputLength: Math.max(1, limit), info: true }) as unknown as {
      buffer: Buffer;
      engine: { bytesWritten: number };
    };
    return buffer.length <= limit ? { buffer, consumed: engine.bytesWritten } : undefined;
  } catch {
    return undefined;
  }
}

/** Inflates the raw deflate data starting at `start` into `output`, streaming; resolves how it ended. */
function inflateMemberStreaming(bytes: Uint8Array, start: number, output: OutputBuffer): Promise<MemberResult> {
  return new Promise((resolve) => {
    const inflater = zlib.createInflateRaw();
    let crc = crc32 === undefined ? undefined : 0;
    let length = 0;
    let settled = false;
    const settle = (result: MemberResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    inflater.on('data', (chunk: Buffer) => {
      if (!output.append(chunk)) {
        inflater.destroy();
        settle({ kind: 'limit' });
        return;
      }
      length += chunk.length;
      if (crc !== undefined && crc32 !== undefined) crc = crc32(chunk, crc);
    });
    inflater.on('error', (error: Error & { code?: string }) => settle({ kind: 'damaged', consumed: inflater.bytesWritten, reason: error.message }));
    inflater.on('end', () => settle({ kind: 'done', consumed: inflater.bytesWritten, crc, length }));
    // In slices, so that the limit stops the work soon after it is reached (a bomb inflates ~1000x).
    const slice = 64 * 1024;
    let at = start;
    const feed = (): void => {
      while (at < bytes.length && !settled) {
        const next = bytes.subarray(at, Math.min(at + slice, bytes.length));
        at += next.length;
        if (!inflater.write(next)) {
          inflater.once('drain', feed);
          return;
        }
      }
      if (at >= bytes.length && !settled) inflater.end();
    };
    feed();
  });
}

/** Collects output chunks up to a byte limit. */
class OutputBuffer {
  private readonly chunks: Buffer[] = [];
  private length = 0;

  constructor(private readonly maxBytes: number) {}

  /** Bytes that still fit under the limit. */
  remaining(): number {
    return this.maxBytes - this.length;
  }

  /** False (and the chunk cut to what still fits) once the limit would be passed. */
  append(chunk: Buffer): boolean {
    if (this.length + chunk.length > this.maxBytes) {
      const fits = this.maxBytes - this.length;
      if (fits > 0) this.chunks.push(chunk.subarray(0, fits));
      this.length += Math.max(0, fits);
      return false;
    }
    this.chunks.push(chunk);
    this.length += chunk.length;
    return true;
  }

  result(): Uint8Array {
    return this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.length);
  }
}

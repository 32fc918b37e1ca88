import { readFile, stat } from 'node:fs/promises';
import { describeLimit } from '../engine/input/inflate';
import { describeFsError, walkInputPaths } from './walk-paths';

/** One input of a scan, from disk or S3, ready to parse. */
export type InputEntry =
  | { readonly kind: 'content'; readonly displayPath: string; readonly content: Uint8Array }
  /** Documentation files on disk; digest and Insight objects in S3 (skipped by key). */
  | { readonly kind: 'skipped-data'; readonly displayPath: string; readonly reason: 'non-data' | 'digest' | 'insight' }
  /** `located`: the message already names the input, so it is printed as is. */
  | { readonly kind: 'error'; readonly displayPath: string; readonly message: string; readonly located?: boolean }
  /** A read cut short by Ctrl-C: not an error, not scanned. */
  | { readonly kind: 'aborted'; readonly displayPath: string };

/**
 * Beyond the per-object limit, a file is not even read into memory (its inflated content could only be larger); the
 * slack lets a gzip of incompressible data, a little larger than its content, through.
 */
export function rawSizeLimit(maxBytes: number): number {
  return maxBytes + Math.ceil(maxBytes / 100) + 64 * 1024;
}

export function tooLargeMessage(size: number, maxBytes: number): string {
  return `is ${size} bytes, more than the per-object limit of ${describeLimit(maxBytes)} (--max-object-size); not read`;
}

/** Files on disk as input entries, read one at a time in walk order; the bytes as stored (inflated later, once). */
export async function* localEntries(paths: readonly string[], cwd: string, maxBytes: number): AsyncGenerator<InputEntry> {
  for await (const entry of walkInputPaths(paths, cwd)) {
    if (entry.kind === 'error') yield { kind: 'error', displayPath: entry.displayPath, message: entry.message };
    else if (entry.kind === 'skipped') yield { kind: 'skipped-data', displayPath: entry.displayPath, reason: 'non-data' };
    else {
      try {
        const { size } = await stat(entry.absolutePath);
        if (size > rawSizeLimit(maxBytes)) {
          yield { kind: 'error', displayPath: entry.displayPath, message: tooLargeMessage(size, maxBytes) };
          continue;
        }
        yield { kind: 'content', displayPath: entry.displayPath, content: await readFile(entry.absolutePath) };
      } catch (error) {
        yield { kind: 'error', displayPath: entry.displayPath, message: describeFsError(error) };
      }
    }
  }
}

/** How standard input is named in messages. */
export const STDIN_DISPLAY_NAME = '<stdin>';

/**
 * Standard input (`scan -`) as one input entry, like a file: its bytes as sent (gzipped, JSON or JSON Lines), inflated
 * and salvaged later like any object. Read to its end, to Ctrl-C, or to just past the raw size limit: a pipe has no
 * size to check first, so what came within the limit is kept (inflating it then stops at the per-object limit, which
 * is reported, and the records before it are scanned) and the rest is not read.
 */
export async function* stdinEntries(stream: NodeJS.ReadableStream, signal: AbortSignal, maxBytes: number): AsyncGenerator<InputEntry> {
  const displayPath = STDIN_DISPLAY_NAME;
  try {
    const content = await readToEnd(stream, signal, rawSizeLimit(maxBytes) + 1);
    yield content === undefined ? { kind: 'aborted', displayPath } : { kind: 'content', displayPath, content };
  } catch (error) {
    yield { kind: 'error', displayPath, message: describeFsError(error) };
  }
}

/** The bytes of `stream` up to its end or `maxBytes`, whichever comes first; undefined when `signal` aborts first. */
function readToEnd(stream: NodeJS.ReadableStream, signal: AbortSignal, maxBytes: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (data: Buffer | string): void => {
      const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      chunks.push(chunk.subarray(0, maxBytes - length));
      length += Math.min(chunk.length, maxBytes - length);
      if (length >= maxBytes) onEnd();
    };
    const finish = (outcome: () => void): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      signal.removeEventListener('abort', onAbort);
      stream.pause();
      outcome();
    };
    const onEnd = (): void => finish(() => resolve(Buffer.concat(chunks, length)));
    const onError = (error: Error): void => finish(() => reject(error));
    const onAbort = (): void => finish(() => resolve(undefined));
    if (signal.aborted) return resolve(undefined);
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

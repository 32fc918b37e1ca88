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

import { readFile } from 'node:fs/promises';
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

/** Files on disk as input entries, read one at a time in walk order. */
export async function* localEntries(paths: readonly string[], cwd: string): AsyncGenerator<InputEntry> {
  for await (const entry of walkInputPaths(paths, cwd)) {
    if (entry.kind === 'error') yield { kind: 'error', displayPath: entry.displayPath, message: entry.message };
    else if (entry.kind === 'skipped') yield { kind: 'skipped-data', displayPath: entry.displayPath, reason: 'non-data' };
    else {
      try {
        yield { kind: 'content', displayPath: entry.displayPath, content: await readFile(entry.absolutePath) };
      } catch (error) {
        yield { kind: 'error', displayPath: entry.displayPath, message: describeFsError(error) };
      }
    }
  }
}

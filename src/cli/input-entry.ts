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

/** How standard input is named in messages. */
export const STDIN_DISPLAY_NAME = '<stdin>';

/**
 * Standard input (`scan -`) as one input entry: read to its end (it may be gzipped, JSON, or JSON Lines, like a
 * file), or cut short by Ctrl-C.
 */
export async function* stdinEntries(stream: NodeJS.ReadableStream, signal: AbortSignal): AsyncGenerator<InputEntry> {
  const displayPath = STDIN_DISPLAY_NAME;
  try {
    const content = await readToEnd(stream, signal);
    yield content === undefined ? { kind: 'aborted', displayPath } : { kind: 'content', displayPath, content };
  } catch (error) {
    yield { kind: 'error', displayPath, message: describeFsError(error) };
  }
}

/** Every byte of `stream`; undefined when `signal` aborts first. */
function readToEnd(stream: NodeJS.ReadableStream, signal: AbortSignal): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer | string): void => {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    };
    const finish = (outcome: () => void): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      signal.removeEventListener('abort', onAbort);
      stream.pause();
      outcome();
    };
    const onEnd = (): void => finish(() => resolve(Buffer.concat(chunks)));
    const onError = (error: Error): void => finish(() => reject(error));
    const onAbort = (): void => finish(() => resolve(undefined));
    if (signal.aborted) return resolve(undefined);
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

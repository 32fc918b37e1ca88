import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { JsonValue, MemoryStateStore, StateSnapshotEntry } from '../engine/state';

/**
 * `scan --state-out FILE` / `--state-in FILE`: the state of the stateful rules (new_terms sightings, threshold
 * windows, baseline coverage) between runs, so a hunt continues where the last one stopped. JSON Lines: a header,
 * then one state entry per line, the same keys and values the Lambda keeps in its DynamoDB table.
 *
 *   {"format":"cloudtrail-stream-detector/scan-state/v1","clock":"2026-11-20T10:03:00.000Z","entries":2}
 *   {"key":"new_terms#<rule id>#<hash>","version":3,"expiresAt":"2026-11-28T10:00:00.000Z","value":{...}}
 */
export const SCAN_STATE_FORMAT = 'cloudtrail-stream-detector/scan-state/v1';

/** A state file that cannot be read: names the file and the line. */
export class ScanStateError extends Error {
  override readonly name = 'ScanStateError';
}

export interface ScanState {
  /** The newest event time the saving run had seen (epoch ms); state expires relative to it. */
  readonly clock: number;
  readonly entries: StateSnapshotEntry[];
}

export async function readScanState(path: string, displayName: string): Promise<ScanState> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let header: { clock: number; entries: number } | undefined;
  const entries: StateSnapshotEntry[] = [];
  let lineNumber = 0;
  const fail = (problem: string): never => {
    throw new ScanStateError(`${displayName}: line ${lineNumber}: ${problem}`);
  };
  try {
    for await (const line of lines) {
      lineNumber += 1;
      if (line.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (error) {
        fail(`not JSON (${(error as Error).message})`);
      }
      const object = parsed as Record<string, unknown> | null;
      if (header === undefined) {
        const clock = typeof object?.clock === 'string' ? Date.parse(object.clock) : object?.clock === null ? Number.NEGATIVE_INFINITY : NaN;
        if (object?.format !== SCAN_STATE_FORMAT || Number.isNaN(clock) || typeof object.entries !== 'number') {
          fail(`not a ${SCAN_STATE_FORMAT} header (written by scan --state-out)`);
        }
        header = { clock, entries: object?.entries as number };
        continue;
      }
      const expiresAt = typeof object?.expiresAt === 'string' ? Date.parse(object.expiresAt) : NaN;
      if (typeof object?.key !== 'string' || typeof object.version !== 'number' || Number.isNaN(expiresAt) || !('value' in object)) {
        fail('expected {"key", "version", "expiresAt", "value"}');
      }
      entries.push({ key: object?.key as string, version: object?.version as number, expiresAt, value: object?.value as JsonValue });
    }
  } catch (error) {
    if (error instanceof ScanStateError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ScanStateError(`${displayName}: cannot read the state file (${code === 'ENOENT' ? 'no such file' : (error as Error).message})`);
  }
  if (header === undefined) throw new ScanStateError(`${displayName}: empty; not a state file written by scan --state-out`);
  if (entries.length !== header.entries) {
    throw new ScanStateError(`${displayName}: holds ${entries.length} entries where its header says ${header.entries}: the file is truncated`);
  }
  return { clock: header.clock, entries };
}

/** Writes the store's live state next to `path` and renames it into place, so a failed write never leaves half a file. */
export async function writeScanState(path: string, store: MemoryStateStore): Promise<number> {
  const { clock, entries } = store.snapshot();
  const temporary = `${path}.${process.pid}.partial`;
  const file = await open(temporary, 'w');
  try {
    const header = { format: SCAN_STATE_FORMAT, clock: Number.isFinite(clock) ? new Date(clock).toISOString() : null, entries: entries.length };
    await file.write(`${JSON.stringify(header)}\n`);
    let chunk = '';
    for (const entry of entries) {
      chunk += `${JSON.stringify({ key: entry.key, version: entry.version, expiresAt: new Date(entry.expiresAt).toISOString(), value: entry.value })}\n`;
      if (chunk.length > 1 << 20) {
        await file.write(chunk);
        chunk = '';
      }
    }
    await file.write(chunk);
    await file.close();
    await rename(temporary, path);
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
  return entries.length;
}

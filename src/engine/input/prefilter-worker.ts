/** Worker-thread side of the preparation pool: inflates (within the limit) and pre-filters one input per message. */
import { parentPort, workerData } from 'node:worker_threads';
import { prepareContent, type PreparedContent } from './prepare-content';
import type { RawPrefilter } from './raw-prefilter';

const { filter, maxBytes } = workerData as { filter: RawPrefilter | undefined; maxBytes: number };

// One object at a time: each inflation may grow to the per-object limit, so they are not run side by side.
let previous: Promise<void> = Promise.resolve();

parentPort?.on('message', (message: { id: number; content: Uint8Array; source: string }) => {
  previous = previous.then(() => prepareOne(message));
});

function prepareOne(message: { id: number; content: Uint8Array; source: string }): Promise<void> {
  return prepareContent(message.content, message.source, maxBytes, filter).then(
    (result: PreparedContent) => {
      // The inflated bytes go back without a copy when they own their buffer.
      const bytes = result.bytes;
      const transfer = bytes !== undefined && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? [bytes.buffer as ArrayBuffer] : [];
      parentPort?.postMessage({ id: message.id, result }, transfer);
    },
    (error: unknown) => {
      const failed: PreparedContent = { notes: [{ severity: 'error', message: `cannot be read: ${error instanceof Error ? error.message : String(error)}` }], complete: false, bytes: new Uint8Array(0) };
      parentPort?.postMessage({ id: message.id, result: failed });
    },
  );
}

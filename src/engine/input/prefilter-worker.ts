/** Worker-thread side of the pre-filter pool: decompresses, decodes and pre-filters one input per message. */
import { parentPort, workerData } from 'node:worker_threads';
import type { RawPrefilter } from './raw-prefilter';
import { prefilterContent, type PrefilteredContent } from './read-prefiltered';

const filter = (workerData as { filter: RawPrefilter }).filter;

parentPort?.on('message', (message: { id: number; content: Uint8Array; source: string }) => {
  let result: PrefilteredContent | null | undefined;
  try {
    result = prefilterContent(message.content, message.source, filter) ?? null;
  } catch {
    result = undefined; // the main thread does this input itself
  }
  parentPort?.postMessage({ id: message.id, result });
});

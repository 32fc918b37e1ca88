/**
 * Prepares input objects (prepareContent: inflate within the per-object limit, then the raw pre-filter: nearly all of
 * a scan's work when the rules are selective) ahead of the consumer on worker threads, several at once, while the
 * main thread parses the few kept records and runs the detector. Small objects stay inline only until the scan has
 * seen enough to pay for starting the threads (a scan of a few small files never starts them); after that they go
 * to the workers too, many in flight at once so that no worker idles between them. Entries come out
 * in their original order, each with its prepared content, so the scan's output stays deterministic. Each object is
 * inflated exactly once: where its preparation fails (a worker dying), that object is reported, never inflated again.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CompiledRule } from '../rules/detection-rule';
import { DEFAULT_MAX_OBJECT_BYTES } from './inflate';
import { prepareContent, type PreparedContent } from './prepare-content';
import type { RawPrefilter } from './raw-prefilter';
import { prefilterForRules } from './read-prefiltered';

/** An input this large goes to a worker at once. */
export const WORKER_MIN_BYTES = 64 * 1024;

/**
 * Once the scan has read this much (compressed), every input goes to the workers: starting them (tens of ms each)
 * is then paid back, and real trails are mostly objects of a few tens of KB, far below WORKER_MIN_BYTES.
 */
export const POOL_AFTER_BYTES = 256 * 1024;

/**
 * Small inputs in flight at once: up to this many, while their compressed bytes stay under AHEAD_BYTES. Since gzip
 * inflates at most about 1032:1, what they can inflate to stays near a quarter of a GiB even if every one is a bomb.
 */
export const MAX_AHEAD = 32;
export const AHEAD_BYTES = 256 * 1024;

/** Workers to use: `CTSD_SCAN_WORKERS` when set (0 turns them off), else one per core when there are at least two. */
export function defaultWorkerCount(): number {
  const configured = process.env.CTSD_SCAN_WORKERS;
  if (configured !== undefined && /^\d+$/.test(configured)) return Number(configured);
  const cores = availableParallelism();
  return cores >= 2 ? cores : 0;
}

interface ContentLike {
  readonly kind: string;
  readonly displayPath: string;
}

function contentOf(entry: ContentLike): Uint8Array | undefined {
  const content = (entry as { content?: unknown }).content;
  return entry.kind === 'content' && content instanceof Uint8Array ? content : undefined;
}

export interface PreparedEntry<E> {
  readonly entry: E;
  /** For content entries: the prepared content. */
  readonly prepared?: PreparedContent;
}

export interface PrepareOptions {
  /** Per-object limit on inflated bytes (default DEFAULT_MAX_OBJECT_BYTES). */
  readonly maxBytes?: number;
  /** Worker threads (default defaultWorkerCount()); 0: everything inline. */
  readonly workers?: number;
}

/**
 * Passes `entries` through in order, each content entry with its prepared content, computed up to 2 × workers (at
 * least 2) entries ahead of the consumer, or up to MAX_AHEAD while those in flight are small (AHEAD_BYTES). Memory
 * stays bounded whatever the objects inflate to: each worker (and the main thread) inflates one object at a time,
 * and no further entry is started while the inflated content waiting for the consumer exceeds the per-object limit.
 * So at most (workers + 1) objects are being inflated and about one limit's worth (plus what AHEAD_BYTES of small
 * objects inflate to) waits. An inflation holds up to twice the limit for a moment (the output's pieces and their
 * joined copy), the consumer up to twice (the bytes and their text): with 2 workers about 8 limits in all, some
 * 2 GiB at the 256 MiB default even for an archive of gzip bombs (six of them over s3:// took 16.9 GB when every read
 * inflated at once; 2.0 to 2.5 GiB measured at the default, 0.55 GiB at a 32 MiB limit).
 */
export async function* prepareEntries<E extends ContentLike>(entries: AsyncIterable<E>, rules: readonly CompiledRule[], options: PrepareOptions = {}): AsyncGenerator<PreparedEntry<E>> {
  const filter = prefilterForRules(rules);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_OBJECT_BYTES;
  const workers = options.workers ?? defaultWorkerCount();
  let pool: WorkerPool | undefined;
  let inline: Promise<unknown> = Promise.resolve(); // the main thread's preparations, one after the other
  let waitingBytes = 0; // inflated bytes prepared and not yet taken by the consumer
  let aheadBytes = 0; // compressed bytes of the entries in flight
  let unknownSizes = 0; // entries pulled whose content has not arrived yet (their size is not counted in aheadBytes)
  let seenBytes = 0; // compressed bytes of every entry so far
  const prepare = async (entry: E): Promise<PreparedEntry<E>> => {
    const content = contentOf(entry);
    if (content === undefined) return { entry };
    aheadBytes += content.length;
    seenBytes += content.length;
    let prepared: PreparedContent;
    if (workers < 1 || (content.length < WORKER_MIN_BYTES && seenBytes <= POOL_AFTER_BYTES && pool === undefined)) {
      const turn = inline.then(() => prepareContent(content, entry.displayPath, maxBytes, filter));
      inline = turn.catch(() => undefined);
      prepared = await turn;
    } else {
      pool ??= new WorkerPool(workers, filter, maxBytes);
      prepared = await pool.run(content, entry.displayPath);
    }
    waitingBytes += prepared.bytes?.length ?? 0;
    return { entry, prepared };
  };
  const iterator = entries[Symbol.asyncIterator]();
  const ahead: Promise<IteratorResult<PreparedEntry<E>>>[] = [];
  let exhausted = false;
  let stopped = false;
  const pull = (): void => {
    if (stopped) return;
    // Beyond the usual window only while the size of everything in flight is known and small.
    const room = (): boolean =>
      ahead.length < Math.max(2, workers * 2) || (workers > 0 && unknownSizes === 0 && ahead.length < MAX_AHEAD && aheadBytes < AHEAD_BYTES);
    while (!exhausted && room() && waitingBytes <= maxBytes) {
      // Each pull waits for the previous one: async generators queue next() calls, and the chain keeps the order.
      unknownSizes += 1;
      ahead.push(
        iterator.next().then(async (next): Promise<IteratorResult<PreparedEntry<E>>> => {
          unknownSizes -= 1;
          if (next.done) {
            exhausted = true;
            return next;
          }
          const prepared = prepare(next.value);
          pull(); // its size is known now: there may be room for more
          return { done: false, value: await prepared };
        }),
      );
    }
  };
  try {
    for (;;) {
      pull();
      const next = await (ahead.shift() as Promise<IteratorResult<PreparedEntry<E>>>);
      if (next.done) break;
      waitingBytes -= next.value.prepared?.bytes?.length ?? 0;
      aheadBytes -= contentOf(next.value.entry)?.length ?? 0;
      yield next.value;
    }
  } finally {
    stopped = true;
    for (const dropped of ahead) dropped.catch(() => undefined); // a consumer that stopped early wants no errors
    if (!exhausted) await iterator.return?.();
    await pool?.close();
  }
}

/** What an object whose worker died gets: reported, not inflated a second time. */
function workerFailed(reason: string): PreparedContent {
  return { notes: [{ severity: 'error', message: `the worker thread reading it failed (${reason}); not scanned` }], complete: false, bytes: new Uint8Array(0) };
}

class WorkerPool {
  private readonly workers: { worker: Worker; busy: number; alive: boolean }[] = [];
  private readonly pending = new Map<number, { resolve: (result: PreparedContent) => void; owner: number }>();
  private nextId = 0;

  constructor(count: number, filter: RawPrefilter | undefined, maxBytes: number) {
    const compiled = __filename.endsWith('.js');
    const file = join(__dirname, compiled ? 'prefilter-worker.js' : 'prefilter-worker.ts');
    // TypeScript sources (tsx, ts-jest) need tsx's loader in the worker too.
    const code = `${compiled ? '' : `require(${JSON.stringify(require.resolve('tsx/cjs'))});`}require(${JSON.stringify(file)});`;
    for (let n = 0; n < count; n += 1) {
      const worker = new Worker(code, { eval: true, workerData: { filter, maxBytes } });
      const slot = { worker, busy: 0, alive: true };
      worker.on('message', (message: { id: number; result: PreparedContent }) => {
        const task = this.pending.get(message.id);
        if (task === undefined) return;
        this.pending.delete(message.id);
        slot.busy -= 1;
        if (slot.busy === 0) worker.unref();
        task.resolve(message.result);
      });
      const fail = (error?: Error | number): void => {
        slot.alive = false;
        const reason = error instanceof Error ? error.message : `exit code ${String(error)}`;
        for (const [id, task] of this.pending) {
          if (task.owner !== n) continue;
          this.pending.delete(id);
          task.resolve(workerFailed(reason));
        }
      };
      worker.on('error', fail);
      worker.on('exit', fail);
      worker.unref(); // an idle worker never keeps the process alive; a busy one must (its answer is awaited)
      this.workers.push(slot);
    }
  }

  run(content: Uint8Array, source: string): Promise<PreparedContent> {
    let owner = -1;
    this.workers.forEach((slot, n) => {
      if (slot.alive && (owner === -1 || slot.busy < (this.workers[owner]?.busy ?? Infinity))) owner = n;
    });
    const slot = this.workers[owner];
    if (slot === undefined) return Promise.resolve(workerFailed('no worker thread is left'));
    const id = this.nextId++;
    slot.busy += 1;
    slot.worker.ref();
    return new Promise((resolve) => {
      this.pending.set(id, { resolve, owner });
      // A copy of just this view: posting a Buffer would copy its whole (possibly shared) ArrayBuffer.
      slot.worker.postMessage({ id, content: new Uint8Array(content), source });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((slot) => slot.worker.terminate()));
    for (const task of this.pending.values()) task.resolve(workerFailed('the scan stopped'));
    this.pending.clear();
  }
}

/**
 * Prepares input objects (prepareContent: inflate within the per-object limit, then the raw pre-filter: nearly all of
 * a scan's work when the rules are selective) ahead of the consumer: large objects on worker threads, several at
 * once, small ones inline, while the main thread parses the few kept records and runs the detector. Entries come out
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

/** Smaller inputs are cheaper to do inline than to post to a worker. */
export const WORKER_MIN_BYTES = 64 * 1024;

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
 * least 2) entries ahead of the consumer. Memory stays bounded whatever the objects inflate to: each worker (and the
 * main thread) inflates one object at a time, and no further entry is started while the inflated content waiting
 * for the consumer exceeds the per-object limit. So at most (workers + 1) objects are being inflated and about one
 * limit's worth waits: with 2 workers and the 256 MiB default, well under 2 GB even for an archive of gzip bombs
 * (six of them over s3:// took 16.9 GB when every read inflated at once).
 */
export async function* prepareEntries<E extends ContentLike>(entries: AsyncIterable<E>, rules: readonly CompiledRule[], options: PrepareOptions = {}): AsyncGenerator<PreparedEntry<E>> {
  const filter = prefilterForRules(rules);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_OBJECT_BYTES;
  const workers = options.workers ?? defaultWorkerCount();
  let pool: WorkerPool | undefined;
  let inline: Promise<unknown> = Promise.resolve(); // the main thread's preparations, one after the other
  let waitingBytes = 0; // inflated bytes prepared and not yet taken by the consumer
  const prepare = async (entry: E): Promise<PreparedEntry<E>> => {
    const content = contentOf(entry);
    if (content === undefined) return { entry };
    let prepared: PreparedContent;
    if (workers < 1 || content.length < WORKER_MIN_BYTES) {
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
  const pull = (): void => {
    while (!exhausted && ahead.length < Math.max(2, workers * 2) && waitingBytes <= maxBytes) {
      // Each pull waits for the previous one: async generators queue next() calls, and the chain keeps the order.
      ahead.push(
        iterator.next().then(async (next) => {
          if (next.done) exhausted = true;
          return next.done ? next : { done: false, value: await prepare(next.value) };
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
      yield next.value;
    }
  } finally {
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

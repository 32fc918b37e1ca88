/**
 * Runs the raw pre-filter (gunzip + decode + validate + needle search: nearly all of a scan's work when the rules are
 * selective) on worker threads, several objects at once, while the main thread parses the few kept records and runs
 * the detector. Entries come out in their original order, so the scan's output stays deterministic; each computed
 * result is picked up by `readRecordsForRules` for the same content (or, if a worker failed, computed there).
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CompiledRule } from '../rules/detection-rule';
import type { RawPrefilter } from './raw-prefilter';
import { prefilterForRules, rememberPrefiltered, type PrefilteredContent } from './read-prefiltered';

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

/**
 * Passes `entries` through unchanged and in order, pre-filtering large `content` entries on `workers` threads up to
 * 2 × workers entries ahead of the consumer. Without a usable pre-filter, or with no workers, entries pass straight.
 */
export async function* prefilterInWorkers<E extends ContentLike>(
  entries: AsyncIterable<E>,
  rules: readonly CompiledRule[],
  workers = defaultWorkerCount(),
): AsyncGenerator<E> {
  const filter = prefilterForRules(rules);
  if (filter === undefined || workers < 1) {
    yield* entries;
    return;
  }
  let pool: WorkerPool | undefined;
  const prepare = async (entry: E): Promise<E> => {
    const content = contentOf(entry);
    if (content === undefined || content.length < WORKER_MIN_BYTES) return entry;
    pool ??= new WorkerPool(workers, filter);
    const result = await pool.run(content, entry.displayPath);
    if (result !== undefined) rememberPrefiltered(content, result);
    return entry;
  };
  const iterator = entries[Symbol.asyncIterator]();
  const ahead: Promise<IteratorResult<E>>[] = [];
  let exhausted = false;
  const pull = (): void => {
    while (!exhausted && ahead.length < workers * 2) {
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
      const next = await (ahead.shift() as Promise<IteratorResult<E>>);
      if (next.done) break;
      yield next.value;
    }
  } finally {
    for (const dropped of ahead) dropped.catch(() => undefined); // a consumer that stopped early wants no errors
    if (!exhausted) await iterator.return?.();
    await pool?.close();
  }
}

class WorkerPool {
  private readonly workers: { worker: Worker; busy: number; alive: boolean }[] = [];
  private readonly pending = new Map<number, { resolve: (result: PrefilteredContent | null | undefined) => void; owner: number }>();
  private nextId = 0;

  constructor(count: number, filter: RawPrefilter) {
    const compiled = __filename.endsWith('.js');
    const file = join(__dirname, compiled ? 'prefilter-worker.js' : 'prefilter-worker.ts');
    // TypeScript sources (tsx, ts-jest) need tsx's loader in the worker too.
    const code = `${compiled ? '' : `require(${JSON.stringify(require.resolve('tsx/cjs'))});`}require(${JSON.stringify(file)});`;
    for (let n = 0; n < count; n += 1) {
      const worker = new Worker(code, { eval: true, workerData: { filter } });
      const slot = { worker, busy: 0, alive: true };
      worker.on('message', (message: { id: number; result: PrefilteredContent | null | undefined }) => {
        const task = this.pending.get(message.id);
        if (task === undefined) return;
        this.pending.delete(message.id);
        slot.busy -= 1;
        if (slot.busy === 0) worker.unref();
        task.resolve(message.result);
      });
      const fail = (): void => {
        slot.alive = false;
        for (const [id, task] of this.pending) {
          if (task.owner !== n) continue;
          this.pending.delete(id);
          task.resolve(undefined); // the main thread does it
        }
      };
      worker.on('error', fail);
      worker.on('exit', fail);
      worker.unref(); // an idle worker never keeps the process alive; a busy one must (its answer is awaited)
      this.workers.push(slot);
    }
  }

  run(content: Uint8Array, source: string): Promise<PrefilteredContent | null | undefined> {
    let owner = -1;
    this.workers.forEach((slot, n) => {
      if (slot.alive && (owner === -1 || slot.busy < (this.workers[owner]?.busy ?? Infinity))) owner = n;
    });
    const slot = this.workers[owner];
    if (slot === undefined) return Promise.resolve(undefined);
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
    for (const task of this.pending.values()) task.resolve(undefined);
    this.pending.clear();
  }
}

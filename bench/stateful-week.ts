/**
 * Run by stateful-bench.ts in its own process (`node --expose-gc`): the memory `scan`'s state takes over a week of
 * CloudTrail (a day with --quick), events in time order from a profile of the synthetic archive (argument 2): the
 * realistic one (3 accounts, 4 regions, each five-minute object with its own instances, sessions and addresses) or
 * the big-objects one (random addresses, sessions and keys on nearly every event: new terms all the time).
 * First the 85 query rules alone, then the whole pack with its in-memory store, which drops state older than the
 * rules' windows as event time moves on; the heap is measured after a full GC with the detector and its store still
 * alive. Prints one `WEEK={...}` line.
 */
import { conformancePath } from '../src/conformance/conformance-dir';
import { createDetector } from '../src/engine/detector';
import { compileRules, loadRulePack, type CompiledRule } from '../src/engine/rules';
import { MemoryStateStore } from '../src/engine/state';
import { archiveObject, type ArchiveProfile } from './synthetic-archive';

const quick = process.argv[2] === 'quick';
const profile = (process.argv[3] ?? 'realistic') as ArchiveProfile;
const DAYS = quick ? 1 : 7;
const OBJECTS = DAYS * 24 * 12; // one object per 5 minutes
/** Big-objects profile: objects of 150 KB (30 KB with --quick) rather than the archive's 2–5 MB, a week in memory. */
const BIG_OBJECT_BYTES = quick ? 30_000 : 150_000;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

function heapMb(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

async function replay(rules: readonly CompiledRule[], store: MemoryStateStore | undefined): Promise<{ events: number; peakKeys: number }> {
  const detector = createDetector(rules, store ? { state: store, observeEventTime: (time) => store.observe(time) } : {});
  const receivedAt = new Date();
  let events = 0;
  let peakKeys = 0;
  for (let index = 0; index < OBJECTS; index += 1) {
    const { text } = archiveObject(profile, index, BIG_OBJECT_BYTES);
    for (const record of (JSON.parse(text) as { Records: unknown[] }).Records) {
      await detector.detect(record, { receivedAt });
      events += 1;
    }
    peakKeys = Math.max(peakKeys, store?.size ?? 0);
  }
  return { events, peakKeys };
}

async function main(): Promise<void> {
  const all = loadRulePack(conformancePath('elastic-aws-kuery-rules')).rules;
  const base = heapMb();
  await replay(compileRules(all.filter((rule) => rule.type === 'query')), undefined);
  const baselineHeapMb = heapMb();
  const store = new MemoryStateStore();
  const { events, peakKeys } = await replay(compileRules(all), store);
  const heap = heapMb();
  const { entries } = store.snapshot();
  const stateBytes = entries.reduce((sum, entry) => sum + entry.key.length + JSON.stringify(entry.value).length, 0);
  process.stdout.write(`\nWEEK=${JSON.stringify({ profile, days: DAYS, events, keys: entries.length, peakKeys, stateBytes, heapMb: heap, baselineHeapMb, startHeapMb: base })}\n`);
}

void main();

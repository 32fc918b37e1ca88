/**
 * The stateful part of `npm run bench` (docs/stateful-rules.md, "Cost"):
 *   1. per event: Elastic's whole AWS pack (85 query + 49 new_terms + 5 threshold rules, state in memory) against its
 *      85 query rules alone, on the same realistic mix of CloudTrail events (the synthetic archive's realistic profile),
 *      batches interleaved;
 *   2. DynamoDB requests per event on that mix, counted at the state port (the reducers make the same reads and
 *      writes whatever the store), with the request units DynamoDB would bill (strongly consistent reads: 1 RRU per
 *      4 KB; writes: 1 WRU per KB), and from them the cost per million CloudTrail events at on-demand prices;
 *   3. the memory `scan` holds for a week of a trail (bench/stateful-week.ts, in its own process).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { conformancePath } from '../src/conformance/conformance-dir';
import { createDetector, type Detector } from '../src/engine/detector';
import { compileRules, loadRulePack } from '../src/engine/rules';
import { MemoryStateStore, type JsonValue, type StateStore, type WriteCondition } from '../src/engine/state';
import { archiveObject } from './synthetic-archive';

const ROOT = resolve(__dirname, '..');
const ELASTIC_AWS_RULES = conformancePath('elastic-aws-kuery-rules');

/**
 * DynamoDB on-demand prices in us-east-1 since the 50% cut of 2024-11-01 (AWS pricing page and announcement, looked up
 * 2026-12-06): $0.125 per million read request units, $0.625 per million write request units.
 */
export const PRICE_PER_MILLION_RRU = 0.125;
export const PRICE_PER_MILLION_WRU = 0.625;
export const PRICES_AS_OF = 'us-east-1 on-demand prices in effect since 2024-11-01, looked up 2026-12-06';

export interface StatefulRow {
  readonly measure: string;
  readonly ours: string;
  readonly baseline: string;
  readonly ratio: string;
}

/** A realistic mix: records of the synthetic archive's objects, `count` of them, in time order. */
export function realisticMix(count: number): string[] {
  const texts: string[] = [];
  for (let index = 0; texts.length < count; index += 1) {
    const { text } = archiveObject('realistic', index);
    for (const record of (JSON.parse(text) as { Records: unknown[] }).Records) texts.push(JSON.stringify(record));
  }
  return texts.slice(0, count);
}

/** The state port, counting what a DynamoDB table would be asked and bill. */
export class CountingStore implements StateStore {
  gets = 0;
  puts = 0;
  readUnits = 0;
  writeUnits = 0;
  /** Bytes of the largest item written. */
  largestItem = 0;
  private readonly sizes = new Map<string, number>();

  constructor(private readonly inner: MemoryStateStore) {}

  /** The memory store's clock (event time), so state expires as the table's TTL would let it. */
  observe(time: number): void {
    this.inner.observe(time);
  }

  async get(key: string) {
    this.gets += 1;
    const stored = await this.inner.get(key);
    // A strongly consistent read: 1 RRU per 4 KB of item, at least 1 (also for a missing item).
    this.readUnits += Math.max(1, Math.ceil((this.sizes.get(key) ?? 0) / 4096));
    return stored;
  }

  async put(key: string, value: JsonValue, condition: WriteCondition, expiresAt: number) {
    this.puts += 1;
    // The item: key, state text, version and expiry, with their attribute names (DynamoDB's item size rules).
    const size = key.length + 2 + JSON.stringify(value).length + 5 + 7 + 8 + 9 + 8;
    this.writeUnits += Math.max(1, Math.ceil(size / 1024));
    this.sizes.set(key, size);
    this.largestItem = Math.max(this.largestItem, size);
    return this.inner.put(key, value, condition, expiresAt);
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

export async function statefulBench(
  quick: boolean,
  paired: (first: () => unknown, second: () => unknown, calls: number) => Promise<[number, number]>,
  log: (line: string) => void,
): Promise<{ rows: StatefulRow[]; notes: string[] }> {
  if (!existsSync(ELASTIC_AWS_RULES)) {
    const skipped = `skipped: ${ELASTIC_AWS_RULES} not present`;
    return { rows: [{ measure: 'per event, 139 Elastic AWS rules (stateful ones included)', ours: skipped, baseline: '', ratio: '' }], notes: [] };
  }
  const all = loadRulePack(ELASTIC_AWS_RULES).rules;
  const pack = compileRules(all);
  const queryOnly = compileRules(all.filter((rule) => rule.type === 'query'));
  const calls = quick ? 300 : 1000;
  // Every event once per detector: warm-up and nine batches, each detector its own state.
  const events = realisticMix(calls * 10 + 1);
  log(`stateful bench: ${events.length} events of the synthetic mix ...`);
  const receivedAt = new Date();
  let sink = 0;
  const walker = (detector: Detector) => {
    let next = 0;
    return async () => {
      const text = events[next++ % events.length] as string;
      for (const detection of await detector.detect(JSON.parse(text), { receivedAt, original: text })) sink += JSON.stringify(detection.alert).length;
    };
  };
  const memory = new MemoryStateStore();
  const full = createDetector(pack, { state: memory, observeEventTime: (time) => memory.observe(time) });
  const [ours, baseline] = await paired(walker(full), walker(createDetector(queryOnly)), calls);
  const rows: StatefulRow[] = [
    {
      measure: 'per event, 139 Elastic AWS rules (85 query + 49 new_terms + 5 threshold, state in memory), realistic mix',
      ours: `${ours.toFixed(1)} µs`,
      baseline: `${baseline.toFixed(1)} µs (the 85 query rules alone, same events)`,
      ratio: `${(ours / baseline).toFixed(2)}×`,
    },
  ];

  // Requests per event: every event of the mix once, in order, against a fresh counting store.
  const counting = new CountingStore(new MemoryStateStore());
  const counted = createDetector(pack, { state: counting });
  const perEvent: number[] = [];
  let reaching = 0;
  let alerts = 0;
  for (const text of events) {
    const before = counting.gets + counting.puts;
    alerts += (await counted.detect(JSON.parse(text), { receivedAt, original: text })).length;
    const requests = counting.gets + counting.puts - before;
    perEvent.push(requests);
    if (requests > 0) reaching += 1;
  }
  const sorted = [...perEvent].sort((a, b) => a - b);
  const mean = (total: number) => total / events.length;
  const costPerMillion = mean(counting.readUnits) * PRICE_PER_MILLION_RRU + mean(counting.writeUnits) * PRICE_PER_MILLION_WRU;
  rows.push(
    {
      measure: `DynamoDB requests per event, 139 rules, realistic mix (${events.length.toLocaleString('en-US')} events, ${((100 * reaching) / events.length).toFixed(1)}% reach a stateful rule)`,
      ours: `median ${percentile(sorted, 0.5)}, p99 ${percentile(sorted, 0.99)}, worst ${sorted[sorted.length - 1]}; mean ${mean(counting.gets + counting.puts).toFixed(3)}`,
      baseline: '0 (query rules keep no state)',
      ratio: '—',
    },
    {
      measure: 'DynamoDB request units per event (reads strongly consistent), same mix',
      ours: `${mean(counting.readUnits).toFixed(3)} RRU + ${mean(counting.writeUnits).toFixed(3)} WRU`,
      baseline: '0',
      ratio: '—',
    },
    {
      measure: 'DynamoDB cost per million CloudTrail events, same mix, on demand',
      ours: `$${costPerMillion.toFixed(3)}`,
      baseline: `$0 (${PRICES_AS_OF})`,
      ratio: '—',
    },
  );
  if (sink === 0 && alerts === 0) throw new Error('stateful bench work was optimized away');

  for (const [profile, what] of [
    ['realistic', 'realistic profile'],
    ['big-objects', 'big-objects profile: random addresses and sessions, new terms on most events'],
  ] as const) {
    const week = spawnSync(process.execPath, ['--expose-gc', join(ROOT, 'bin/run-ts.js'), join(ROOT, 'bench/stateful-week.ts'), quick ? 'quick' : 'full', profile], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    const report = /WEEK=(\{.*\})/.exec(week.stdout)?.[1];
    if (week.status !== 0 || report === undefined) throw new Error(`bench/stateful-week.ts failed (${week.status}):\n${week.stderr}`);
    const { events: weekEvents, days, keys, stateBytes, heapMb, baselineHeapMb, peakKeys } = JSON.parse(report) as Record<string, number>;
    rows.push({
      measure: `scan memory, 139 rules, ${days === 1 ? 'a day' : `${days} days`} of a trail of 3 accounts in 4 regions (${(weekEvents ?? 0).toLocaleString('en-US')} events in time order, ${what})`,
      ours: `${(heapMb ?? 0).toFixed(0)} MB heap after GC; ${(keys ?? 0).toLocaleString('en-US')} state keys (peak ${(peakKeys ?? 0).toLocaleString('en-US')}), ${((stateBytes ?? 0) / 1e6).toFixed(1)} MB of state as JSON`,
      baseline: `${(baselineHeapMb ?? 0).toFixed(0)} MB (85 query rules, same events)`,
      ratio: `${((heapMb ?? 0) / (baselineHeapMb ?? 1)).toFixed(2)}×`,
    });
  }
  return {
    rows,
    notes: [
      `DynamoDB prices used: $${PRICE_PER_MILLION_RRU} per million read request units, $${PRICE_PER_MILLION_WRU} per million write request units (${PRICES_AS_OF}).`,
    ],
  };
}

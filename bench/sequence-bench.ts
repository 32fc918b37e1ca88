/**
 * The EQL sequence part of `npm run bench` (docs/stateful-rules.md, "EQL sequences"), with Elastic's Bedrock rule
 * (ListFoundationModels, then a model invocation, by one long-term key within 15 minutes) on an hour of a busy
 * Bedrock account: a long-term key (AKIA) invoking models twice a second and listing them every 10 minutes, and an
 * application's role keys (ASIA) invoking ten times a second.
 *   1. per event: the sequence rule (state in memory) against a single-event rule with its second step's condition,
 *      the same events, batches interleaved: what the state costs;
 *   2. DynamoDB requests and request units per event, counted at the state port, the largest item, and the cost per
 *      million events at on-demand prices.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conformancePath } from '../src/conformance/conformance-dir';
import { createDetector, type Detector } from '../src/engine/detector';
import { compileRules, parseRuleToml } from '../src/engine/rules';
import { MemoryStateStore } from '../src/engine/state';
import { BEDROCK_SEQUENCE_RULE, bedrockCall } from '../test/engine/eql/support/aws-rule-records';
import { CountingStore, PRICE_PER_MILLION_RRU, PRICE_PER_MILLION_WRU, PRICES_AS_OF, type StatefulRow } from './stateful-bench';

const T0 = Date.parse('2026-11-20T10:00:00Z');

/** An hour (or `seconds`) of the account, in time order, each record with its own event id. */
function bedrockHour(seconds: number): string[] {
  const records: string[] = [];
  let serial = 0;
  const add = (record: Record<string, unknown>) => records.push(JSON.stringify({ ...record, eventID: `evt-${String(serial++).padStart(8, '0')}` }));
  for (let second = 0; second < seconds; second++) {
    const iso = (ms: number) => new Date(T0 + second * 1000 + ms).toISOString();
    if (second % 600 === 0) add(bedrockCall('ListFoundationModels', iso(0), 'AKIAEXAMPLEBUSYKEY01'));
    for (let i = 0; i < 2; i++) add(bedrockCall('InvokeModel', iso(100 + i * 500), 'AKIAEXAMPLEBUSYKEY01'));
    for (let i = 0; i < 10; i++) add(bedrockCall('InvokeModel', iso(i * 100), `ASIAEXAMPLEAPPROLE${i % 3}`));
  }
  return records;
}

export async function sequenceBench(
  quick: boolean,
  paired: (first: () => unknown, second: () => unknown, calls: number) => Promise<[number, number]>,
  log: (line: string) => void,
): Promise<StatefulRow[]> {
  const folder = conformancePath('elastic-aws-eql-rules');
  let text: string;
  try {
    text = readFileSync(join(folder, BEDROCK_SEQUENCE_RULE), 'utf8');
  } catch {
    return [{ measure: 'per event, the Bedrock sequence rule', ours: `skipped: ${folder} not present`, baseline: '', ratio: '' }];
  }
  const rule = parseRuleToml(text, BEDROCK_SEQUENCE_RULE);
  const [sequence] = compileRules([rule]);
  const query = sequence?.eql?.query;
  if (query?.kind !== 'sequence') throw new Error(`${BEDROCK_SEQUENCE_RULE} is not a sequence`);
  const secondStep = query.stages[1]?.filter as { start: number; end: number };
  const single = compileRules([{ ...rule, query: rule.query.slice(secondStep.start, secondStep.end) }]);

  const events = bedrockHour(quick ? 600 : 3600);
  log(`sequence bench: ${events.length} Bedrock events ...`);
  const receivedAt = new Date();
  let sink = 0;
  const walker = (detector: Detector) => {
    let next = 0;
    return async () => {
      const record = events[next++ % events.length] as string;
      for (const detection of await detector.detect(JSON.parse(record), { receivedAt, original: record })) sink += JSON.stringify(detection.alert).length;
    };
  };
  const memory = new MemoryStateStore();
  const withState = createDetector([sequence], { state: memory, observeEventTime: (time) => memory.observe(time) });
  const calls = quick ? 300 : 1000;
  const [ours, baseline] = await paired(walker(withState), walker(createDetector(single)), calls);
  const rows: StatefulRow[] = [
    {
      measure: 'per event, the Bedrock sequence rule (state in memory), busy Bedrock account',
      ours: `${ours.toFixed(1)} µs`,
      baseline: `${baseline.toFixed(1)} µs (a single-event rule of its second step, same events)`,
      ratio: `${(ours / baseline).toFixed(2)}×`,
    },
  ];

  const counting = new CountingStore(new MemoryStateStore());
  const detector = createDetector([sequence], { state: counting, observeEventTime: (time) => counting.observe(time) });
  let alerts = 0;
  for (const record of events) alerts += (await detector.detect(JSON.parse(record), { receivedAt, original: record })).length;
  const mean = (total: number) => total / events.length;
  const costPerMillion = mean(counting.readUnits) * PRICE_PER_MILLION_RRU + mean(counting.writeUnits) * PRICE_PER_MILLION_WRU;
  rows.push(
    {
      measure: `DynamoDB requests per event, same account (${events.length.toLocaleString('en-US')} events, ${alerts} sequence alerts; 5 in 6 events under role keys, which no sequence can start under)`,
      ours: `mean ${mean(counting.gets + counting.puts).toFixed(3)} (${counting.gets} reads, ${counting.puts} writes)`,
      baseline: '0 (a single-event rule keeps no state)',
      ratio: '—',
    },
    {
      measure: 'DynamoDB request units per event, same account; the largest item',
      ours: `${mean(counting.readUnits).toFixed(3)} RRU + ${mean(counting.writeUnits).toFixed(3)} WRU; ${(counting.largestItem / 1024).toFixed(1)} KB`,
      baseline: '0',
      ratio: '—',
    },
    {
      measure: 'DynamoDB cost per million such events, on demand',
      ours: `$${costPerMillion.toFixed(3)}`,
      baseline: `$0 (${PRICES_AS_OF})`,
      ratio: '—',
    },
  );
  if (sink === 0 && alerts === 0) throw new Error('sequence bench work was optimized away');
  return rows;
}

import fc from 'fast-check';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildAlert } from '../../../src/engine/alerts/build-alert';
import type { DetectionContext } from '../../../src/engine/alerts/alert-types';
import { createDetector } from '../../../src/engine/detector';
import { normalizeCloudTrail } from '../../../src/engine/ecs';
import { readRecords } from '../../../src/engine/input';
import { compileRules, loadRulePack, type CompiledRule } from '../../../src/engine/rules';
import { cloudTrailDeliveryArbitrary } from '../eventbridge/cloudtrail-event-arbitrary';
import { conformancePath } from '../../support/conformance-data';

const REPO_ROOT = join(__dirname, '../../..');
const ELASTIC_PACK = conformancePath('elastic-aws-kuery-rules');
const REAL_RDS_EVENTS = conformancePath('real-rds-events');
const hasElasticPack = existsSync(ELASTIC_PACK);

/**
 * The 85 query rules of Elastic's AWS pack when available, and always the packaged rule. (new_terms and threshold
 * rules are selected by the same index; what they then do with their state is tested in test/engine/stateful.)
 */
const rules: CompiledRule[] = compileRules([
  ...loadRulePack(join(REPO_ROOT, 'rules')).rules,
  ...(hasElasticPack ? loadRulePack(ELASTIC_PACK).rules.filter((rule) => rule.type === 'query') : []),
]);
const detector = createDetector(rules);
const context: DetectionContext = { receivedAt: new Date('2026-01-02T03:04:05.000Z') };

/** The reference: normalize every record and test every rule. */
async function detectByBruteForce(record: unknown, at: DetectionContext) {
  const document = normalizeCloudTrail(record, { receivedAt: at.receivedAt, original: at.original, envelope: at.envelope });
  return rules.filter((rule) => rule.matches(document)).map((rule) => ({ rule, alert: buildAlert(rule.rule, document, at) }));
}

type Outcome = { detections: { ruleId: string; alert: unknown }[] } | { error: string };

async function outcomeOf(detect: () => Promise<{ rule: CompiledRule; alert: unknown }[]>): Promise<Outcome> {
  try {
    return { detections: (await detect()).map(({ rule, alert }) => ({ ruleId: rule.rule.ruleId, alert })) };
  } catch (error) {
    return { error: String(error) };
  }
}

async function expectSameDetections(record: unknown, at: DetectionContext = context): Promise<Outcome> {
  const indexed = await outcomeOf(() => detector.detect(record, at));
  expect(indexed).toEqual(await outcomeOf(() => detectByBruteForce(record, at)));
  return indexed;
}

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((name) => filesUnder(join(path, name)));
}

function recordsUnder(path: string): { record: unknown; at: DetectionContext }[] {
  return filesUnder(path)
    .filter((file) => /\.(json|jsonl|gz)$/.test(file))
    .flatMap((file) => [...readRecords(readFileSync(file), file)])
    .flatMap((item) => (item.kind === 'record' ? [{ record: item.record, at: { ...context, original: item.original, envelope: item.envelope } }] : []));
}

/** Raw eventSource / eventName values the normalizer treats specially, or near misses of a rule's own values. */
const oddKeyValue = (usual: unknown) =>
  fc.constantFrom<unknown>(undefined, null, '', '-', 'none', 42, 1.5e300, true, ['x'], { a: 1 }, `${String(usual)}X`, String(usual).slice(0, -1));

/** Mostly the generated value (so records still match), sometimes an odd one: `null` means keep. */
const maybeOdd = (usual: unknown) => fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: oddKeyValue(usual), weight: 1 });

const deliveryForSomeRule = fc
  .integer({ min: 0, max: rules.length - 1 })
  .chain((position) => cloudTrailDeliveryArbitrary(rules[position].ast))
  .chain(({ record, envelope }) =>
    fc.record({
      record: fc.constant(record),
      envelope: fc.constant(envelope),
      provider: maybeOdd(record.eventSource),
      action: maybeOdd(record.eventName),
    }),
  )
  .map(({ record, envelope, provider, action }) => {
    const mutated: Record<string, unknown> = { ...record };
    if (provider !== null) mutated.eventSource = provider;
    if (action !== null) mutated.eventName = action;
    return { record: mutated, envelope };
  });

describe('indexed detection gives exactly the detections of testing every rule', () => {
  it(`over the rules loaded (${hasElasticPack ? 'Elastic AWS query rules + packaged' : 'packaged only: Elastic pack absent'})`, () => {
    expect(rules.length).toBe(hasElasticPack ? 86 : 1);
  });

  it('for generated CloudTrail records aimed at each rule, with odd eventSource / eventName values', async () => {
    let matched = 0;
    await fc.assert(
      fc.asyncProperty(deliveryForSomeRule, async ({ record, envelope }) => {
        const outcome = await expectSameDetections(record, { ...context, envelope: envelope as DetectionContext['envelope'] });
        if ('detections' in outcome && outcome.detections.length > 0) matched += 1;
      }),
      { numRuns: 1500, seed: 20261126 },
    );
    // The comparison means little unless a good share of the records do match some rule.
    expect(matched).toBeGreaterThan(100);
  });

  it('for the sample trail', async () => {
    const samples = recordsUnder(join(REPO_ROOT, 'samples/trail'));
    expect(samples.length).toBeGreaterThan(10);
    for (const { record, at } of samples) await expectSameDetections(record, at);
  });

  (existsSync(REAL_RDS_EVENTS) ? it : it.skip)('for the 16 real RDS events', async () => {
    const events = recordsUnder(REAL_RDS_EVENTS);
    expect(events).toHaveLength(16);
    for (const { record, at } of events) await expectSameDetections(record, at);
  });

  it('for records that are not JSON objects: the same error', async () => {
    for (const record of [null, [], 'text', 7]) {
      expect(await expectSameDetections(record)).toEqual({ error: expect.stringMatching(/must be a JSON object/) });
    }
  });
});

describe('records no rule can match', () => {
  it('are never normalized', async () => {
    let normalizerReads = 0;
    const record = { eventSource: 'nothing.amazonaws.com', eventName: 'NothingAtAll', eventTime: '2026-01-01T00:00:00Z' };
    // The index reads only the members it keys on; the normalizer reads every member, tlsDetails included.
    Object.defineProperty(record, 'tlsDetails', {
      enumerable: true,
      get: () => {
        normalizerReads += 1;
        return { tlsVersion: 'TLSv1.3' };
      },
    });
    expect(await detector.detect(record, context)).toEqual([]);
    expect(normalizerReads).toBe(0);
    await createDetector([]).detect(record, context);
    expect(normalizerReads).toBe(0);
  });
});

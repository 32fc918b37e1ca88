import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import type { DetectionContext } from '../../../src/engine/alerts/alert-types';
import { createDetector, type Detection } from '../../../src/engine/detector';
import { normalizeCloudTrail } from '../../../src/engine/ecs';
import { NORMALIZATION_STEPS, runSteps, stepsFor, type NormalizeOptions } from '../../../src/engine/ecs/normalize-cloudtrail';
import type { Enrichment } from '../../../src/engine/enrichment';
import type { CompiledRule } from '../../../src/engine/rules';
import { MemoryStateStore } from '../../../src/engine/state';
import { loadDefaultEnrichment } from '../../../src/enrichment/load-enrichment';
import { deliveryAimedAtSomeRule, EVERY_PACK_RULE_COUNT, everyPackRule, hasElasticPack, sampleRecords } from '../../support/rule-pack-records';

/**
 * The detector normalizes an event only as far as the candidate rules' queries read (runSteps over stepsFor), and in
 * full only for a match. These tests prove that shortcut changes no answer: the steps declare every field they
 * write, a partial document agrees with the full one on every field asked for, every rule of the pack answers the same
 * on both, and the detector's alerts are the same with and without it.
 */
const rules = everyPackRule();
const enrichment: Enrichment = loadDefaultEnrichment();
const receivedAt = new Date('2026-01-02T03:04:05.000Z');
const samples = sampleRecords();

function optionsFor(envelope: Record<string, unknown> | undefined, original: string | undefined, enriched: boolean): NormalizeOptions {
  return { receivedAt, envelope: envelope as NormalizeOptions['envelope'], original, enrichment: enriched ? enrichment : undefined };
}

/** Every leaf (scalar, array, empty object) of a document with its dotted path. */
function leaves(value: unknown, prefix = '', into = new Map<string, string>()): Map<string, string> {
  // The pipeline never writes an empty object, so an object's members are its leaves.
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) leaves(inner, prefix === '' ? key : `${prefix}.${key}`, into);
  } else into.set(prefix, JSON.stringify(value));
  return into;
}

function valueAt(document: unknown, field: string): unknown {
  let current = document;
  for (const key of field.split('.')) current = typeof current === 'object' && current !== null && !Array.isArray(current) ? (current as Record<string, unknown>)[key] : undefined;
  return current;
}

const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
const fieldsOf = (rule: CompiledRule): readonly string[] => (rule.fieldsRead === 'all' || rule.fieldsRead === undefined ? [] : rule.fieldsRead);
const plans = new Map(rules.map((rule) => [rule, stepsFor(fieldsOf(rule))]));

/** Runs the pipeline step by step; every field a step adds, changes or removes must be one it declares. */
function expectStepsWriteOnlyWhatTheyDeclare(record: unknown, options: NormalizeOptions): void {
  let before = leaves(runSteps(record, options, []));
  NORMALIZATION_STEPS.forEach((step, n) => {
    const after = leaves(runSteps(record, options, NORMALIZATION_STEPS.slice(0, n + 1)));
    const touched = [...new Set([...before.keys(), ...after.keys()])].filter((field) => before.get(field) !== after.get(field));
    expect([step.name, touched.filter((field) => !step.writes.some((written) => overlaps(field, written)))]).toEqual([step.name, []]);
    before = after;
  });
  expect(Object.fromEntries(before)).toEqual(Object.fromEntries(leaves(normalizeCloudTrail(record, options))));
}

/** For each rule: its own partial document answers as the full one, and holds the same value at every field it reads. */
function expectSameAnswers(record: unknown, options: NormalizeOptions): number {
  const full = normalizeCloudTrail(record, options);
  const differences: string[] = [];
  let matched = 0;
  for (const rule of rules) {
    const partial = runSteps(record, options, plans.get(rule) ?? []);
    const answer = rule.matches(full);
    if (rule.matches(partial) !== answer) differences.push(`${rule.rule.name}: ${String(answer)} in full`);
    for (const field of fieldsOf(rule)) {
      if (!isDeepStrictEqual(valueAt(partial, field), valueAt(full, field))) differences.push(`${rule.rule.name}: ${field} differs`);
    }
    if (answer) matched += 1;
  }
  // One assertion per record: jest's matchers cost more than the comparisons themselves.
  expect(differences).toEqual([]);
  return matched;
}

describe('normalizing only what the rules read', () => {
  it(`covers every rule of the pack (${hasElasticPack ? 'Elastic AWS kuery and EQL packs + packaged' : 'packaged only: Elastic pack absent'}), and reads less than the whole pipeline`, () => {
    expect(rules.length).toBe(EVERY_PACK_RULE_COUNT);
    for (const rule of rules) expect([rule.rule.name, rule.fieldsRead]).not.toEqual([rule.rule.name, 'all']);
    for (const rule of rules) expect(stepsFor(fieldsOf(rule)).length).toBeLessThan(NORMALIZATION_STEPS.length);
    // What the seed rule reads: its fields' steps and what they depend on, not the payloads, entities or enrichment.
    expect(stepsFor(['event.action', 'event.provider', 'event.outcome']).map((step) => step.name)).toEqual(['metadata', 'categorization']);
    expect(stepsFor(['related.user']).map((step) => step.name)).toEqual(['source', 'tls', 'targets', 'user identity', 'related']);
    expect(stepsFor(['event.kind']).map((step) => step.name)).toEqual(['timestamp', 'metadata', 'categorization', 'pipeline errors']);
  });

  it('each step writes only the fields it declares (sample trail, pipeline fixtures, RDS events; generated records)', () => {
    for (const { record, envelope, original } of samples) {
      expectStepsWriteOnlyWhatTheyDeclare(record, optionsFor(envelope, original, true));
    }
    fc.assert(
      fc.property(deliveryAimedAtSomeRule(rules), fc.boolean(), ({ record, envelope }, enriched) => {
        expectStepsWriteOnlyWhatTheyDeclare(record, optionsFor(envelope, undefined, enriched));
      }),
      { numRuns: 300, seed: 1206 },
    );
  });

  it('gives every rule the same answer as full normalization, on the sample trail, the pipeline fixtures and the RDS events', () => {
    let matched = 0;
    for (const { record, envelope, original } of samples) {
      if (typeof record !== 'object' || record === null || Array.isArray(record)) continue;
      for (const enriched of [false, true]) matched += expectSameAnswers(record, optionsFor(envelope, original, enriched));
    }
    expect(matched).toBeGreaterThan(0);
  });

  it('gives every rule the same answer as full normalization, on generated records aimed at each rule (property)', () => {
    let matched = 0;
    fc.assert(
      fc.property(deliveryAimedAtSomeRule(rules), fc.boolean(), ({ record, envelope }, enriched) => {
        matched += expectSameAnswers(record, optionsFor(envelope, undefined, enriched));
      }),
      { numRuns: 300, seed: 20261206 },
    );
    expect(matched).toBeGreaterThan(40); // not vacuous
  });

  it('agrees with the full document on any set of fields asked for (property)', () => {
    const full = (record: unknown, options: NormalizeOptions) => leaves(normalizeCloudTrail(record, options));
    fc.assert(
      fc.property(deliveryAimedAtSomeRule(rules), fc.boolean(), fc.array(fc.nat(), { maxLength: 6 }), ({ record, envelope }, enriched, picks) => {
        const options = optionsFor(envelope, undefined, enriched);
        const known = [...full(record, options).keys()];
        const fields = picks.map((pick) => known[pick % known.length] as string);
        const partial = runSteps(record, options, stepsFor(fields));
        const document = normalizeCloudTrail(record, options);
        for (const field of fields) expect([field, valueAt(partial, field)]).toEqual([field, valueAt(document, field)]);
      }),
      { numRuns: 400, seed: 61206 },
    );
  });

  it('leaves the detector\'s alerts as they are: the whole pack, stateful rules included, with and without the shortcut', async () => {
    // Without fieldsRead a rule reads the whole document: the detector then normalizes every candidate in full.
    const fullRules = rules.map((rule) => ({ ...rule, fieldsRead: 'all' as const }));
    const lazyStore = new MemoryStateStore();
    const fullStore = new MemoryStateStore();
    const lazy = createDetector(rules, { state: lazyStore, enrichment, observeEventTime: (time) => lazyStore.observe(time) });
    const full = createDetector(fullRules, { state: fullStore, enrichment, observeEventTime: (time) => fullStore.observe(time) });
    const summary = (detections: Detection[]) => detections.map(({ rule, alert, document, alertKey }) => ({ rule: rule.rule.ruleId, alert, document, alertKey }));
    const generated = fc.sample(deliveryAimedAtSomeRule(rules), { numRuns: 400, seed: 7 }).map(({ record, envelope }) => ({ record, envelope, original: undefined }));
    let alerts = 0;
    for (const { record, envelope, original } of [...samples, ...generated]) {
      const context: DetectionContext = { receivedAt, original, envelope: envelope as DetectionContext['envelope'] };
      const outcome = async (detector: typeof lazy) => detector.detect(record, context).then(summary, (error: unknown) => String(error));
      const expected = await outcome(full);
      expect(await outcome(lazy)).toEqual(expected);
      if (Array.isArray(expected)) alerts += expected.length;
    }
    expect(alerts).toBeGreaterThan(50);
  });
});

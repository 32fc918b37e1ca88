import fc from 'fast-check';
import { normalizeCloudTrail } from '../../../src/engine/ecs';
import { createRawPrefilter, prefilterRecords, rulesWithoutNeedles } from '../../../src/engine/input/raw-prefilter';
import { createRuleIndex } from '../../../src/engine/rule-index';
import { compileRules, loadRulePack, type CompiledRule, type DetectionRule } from '../../../src/engine/rules';
import { deliveryAimedAtSomeRule, EVERY_PACK_RULE_COUNT, everyPackRule, hasElasticPack, sampleRecords } from '../../support/rule-pack-records';
import { join } from 'node:path';

const rules = everyPackRule();
const index = createRuleIndex(rules);
const prefilter = createRawPrefilter(rules);
const receivedAt = new Date('2026-01-02T03:04:05.000Z');

/** The rules whose query matches the record once normalized: what the index and the pre-filter must let through. */
function matchingRules(record: unknown, envelope?: Record<string, unknown>, original?: string): CompiledRule[] {
  const document = normalizeCloudTrail(record, { receivedAt, envelope, original });
  return rules.filter((rule) => rule.matches(document));
}

/** Checks both: the index lists every matching rule, and the pre-filter keeps the record's text when one matches. */
function expectLetThrough(record: unknown, envelope?: Record<string, unknown>, original?: string): number {
  const matching = matchingRules(record, envelope, original);
  const candidates = new Set(index.candidatesFor(record));
  expect(matching.filter((rule) => !candidates.has(rule)).map((rule) => rule.rule.name)).toEqual([]);
  if (matching.length > 0 && prefilter !== undefined) {
    const text = `{"Records":[${original ?? JSON.stringify(record)}]}`;
    const kept = prefilterRecords(text, prefilter);
    // undefined: not a valid Records object, so the whole text is parsed (nothing lost)
    if (kept !== undefined) expect([kept.total, kept.keep.length]).toEqual([1, 1]);
  }
  return matching.length;
}

describe('every rule of the pack is indexable', () => {
  it(`leaves no rule to be tried on every event, nor one that turns the raw pre-filter off (${hasElasticPack ? 'all of Elastic\'s AWS packs, kuery and EQL' : 'packaged rules only'})`, () => {
    expect(rules.length).toBe(EVERY_PACK_RULE_COUNT);
    expect(index.unindexed.map((rule) => rule.rule.name)).toEqual([]);
    expect(rulesWithoutNeedles(rules).map((rule) => rule.rule.name)).toEqual([]);
    expect(prefilter).toBeDefined();
  });

  it('names the rules that do need every event', () => {
    const seed = loadRulePack(join(__dirname, '../../../rules')).rules[0] as DetectionRule;
    const odd = compileRules([seed, { ...seed, ruleId: 'outcome-only', name: 'Any failure', query: 'event.outcome: failure' }]);
    expect(createRuleIndex(odd).unindexed.map((rule) => rule.rule.name)).toEqual(['Any failure']);
    expect(rulesWithoutNeedles(odd).map((rule) => rule.rule.name)).toEqual(['Any failure']);
  });

  it('lets every matching rule through, for generated records aimed at each rule with odd indexed values (property)', () => {
    let matched = 0;
    fc.assert(
      fc.property(deliveryAimedAtSomeRule(rules), ({ record, envelope }) => {
        if (expectLetThrough(record, envelope) > 0) matched += 1;
      }),
      { numRuns: 3000, seed: 20261206 },
    );
    // The property means little unless a good share of the records do match some rule.
    expect(matched).toBeGreaterThan(300);
  });

  it('lets every matching rule through, for the sample trail, the pipeline fixtures and the real RDS events', () => {
    const samples = sampleRecords();
    expect(samples.length).toBeGreaterThan(10);
    let matched = 0;
    for (const { record, envelope, original } of samples) if (expectLetThrough(record, envelope, original) > 0) matched += 1;
    expect(matched).toBeGreaterThan(0);
  });

  it('reads an indexed member as the normalizer does: null removal, keyword text, no containers', () => {
    const seed = loadRulePack(join(__dirname, '../../../rules')).rules[0] as DetectionRule;
    const typed = createRuleIndex(compileRules([{ ...seed, ruleId: 't', query: 'aws.cloudtrail.user_identity.type: "7"' }]));
    expect(typed.candidatesFor({ userIdentity: { type: 7 } })).toHaveLength(1);
    expect(typed.candidatesFor({ userIdentity: { type: '7' } })).toHaveLength(1);
    expect(typed.candidatesFor({ userIdentity: { type: ['7'] } })).toHaveLength(0);
    expect(typed.candidatesFor({ userIdentity: [{ type: '7' }] })).toHaveLength(0);
    expect(typed.candidatesFor({ userIdentity: { type: '-' } })).toHaveLength(0);
    const agent = createRuleIndex(compileRules([{ ...seed, ruleId: 'a', query: 'user_agent.original: *Cyberduck*' }]));
    expect(agent.candidatesFor({ userAgent: 'Cyberduck/8.7 (Mac OS X)' })).toHaveLength(1);
    expect(agent.candidatesFor({ userAgent: 'cyberduck/8.7' })).toHaveLength(0);
    // A flattened payload field: every string at its path, through arrays and dotted keys, as KQL reads it.
    const key = createRuleIndex(compileRules([{ ...seed, ruleId: 'k', query: 'aws.cloudtrail.flattened.request_parameters.key: (*/.aws/credentials or "id_rsa")' }]));
    expect(key.candidatesFor({ requestParameters: { key: 'home/.aws/credentials' } })).toHaveLength(1);
    expect(key.candidatesFor({ requestParameters: { key: ['a.csv', 'id_rsa'] } })).toHaveLength(1);
    expect(key.candidatesFor({ requestParameters: { 'key': [['x'], ['home/.aws/credentials']] } })).toHaveLength(1);
    expect(key.candidatesFor({ requestParameters: { key: 'a.csv' } })).toHaveLength(0);
    expect(key.candidatesFor({ requestParameters: { key: 7 } })).toHaveLength(0);
    const nested = createRuleIndex(compileRules([{ ...seed, ruleId: 'n', query: 'aws.cloudtrail.flattened.request_parameters.a.b: X*' }]));
    expect(nested.candidatesFor({ requestParameters: { 'a.b': 'X1' } })).toHaveLength(1);
    expect(nested.candidatesFor({ requestParameters: { a: [{ b: 'Y' }, { b: 'X2' }] } })).toHaveLength(1);
    expect(nested.candidatesFor({ requestParameters: { a: { b: 'Y' } } })).toHaveLength(0);
    // A number or boolean keeps its JSON type there and KQL compares it as such: no demand is taken from `42`.
    expect(createRuleIndex(compileRules([{ ...seed, ruleId: 'p', query: 'aws.cloudtrail.flattened.request_parameters.port: 42' }])).unindexed).toHaveLength(1);
    // An `or` over two fields constrains neither: such a rule is tried on every record.
    expect(createRuleIndex(compileRules([{ ...seed, ruleId: 'o', query: 'aws.cloudtrail.user_identity.type: "7" or user_agent.original: *Cyberduck*' }])).unindexed).toHaveLength(1);
  });
});

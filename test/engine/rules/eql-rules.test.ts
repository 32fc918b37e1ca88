/**
 * EQL rules (type = "eql", language = "eql") load like KQL rules: validated with the same kind of error (file,
 * field, line and column in the query), compiled to the parsed query, with `event_category_override` honoured. A
 * sequence rule loads and compiles fully, and runs on the state like the other stateful rules.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDetector } from '../../../src/engine/detector';
import {
  compileRules,
  describeUnsupportedRules,
  isSequenceRule,
  loadRuleDirectory,
  loadRulePack,
  parseRuleToml,
  RuleFileError,
} from '../../../src/engine/rules';
import { conformancePath, describeWithConformance } from '../../support/conformance-data';

const seedText = readFileSync(join(__dirname, '../../../rules/exfiltration_rds_snapshot_export.toml'), 'utf8');
const SEED_QUERY = /query = '''\n[\s\S]*?\n'''/;

/** The seed rule turned into an EQL rule with this query (and these extra `[rule]` lines). */
function eqlRule(query: string, extra = ''): string {
  return seedText
    .replace('type = "query"', `type = "eql"${extra ? `\n${extra}` : ''}`)
    .replace('language = "kuery"', 'language = "eql"')
    .replace(SEED_QUERY, `query = '''\n${query}\n'''`);
}

function problemsOf(text: string): string[] {
  try {
    parseRuleToml(text, 'r.toml');
  } catch (error) {
    if (error instanceof RuleFileError) return error.problems.map((problem) => `${problem.field}: ${problem.problem}`);
    throw error;
  }
  return [];
}

function packWith(files: Record<string, string>): string {
  const directory = mkdtempSync(join(tmpdir(), 'eql-pack-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
  return directory;
}

const SINGLE = 'info where event.provider == "rds.amazonaws.com" and stringContains(aws.cloudtrail.request_parameters, "valuesToAdd=[*]")';
const SEQUENCE = `sequence by user.name with maxspan=15m
  [any where event.action == "ListFoundationModels"]
  [any where event.action : "InvokeModel"]
until [any where event.action == "DeleteAccessKey"]`;

describe('EQL rules: validation', () => {
  it('accepts an eql rule and keeps event_category_override, tiebreaker_field and timestamp_field', () => {
    const rule = parseRuleToml(eqlRule(SINGLE, 'event_category_override = "event.type"\ntiebreaker_field = "event.sequence"\ntimestamp_field = "event.ingested"'), 'r.toml');
    expect(rule).toMatchObject({ type: 'eql', language: 'eql', eventCategoryOverride: 'event.type', tiebreakerField: 'event.sequence', timestampField: 'event.ingested' });
  });

  it('reports an EQL syntax error with its line and column in the query, naming file and field', () => {
    const text = eqlRule('any where event.action == "A"\n  and stringcontain(message, "x")');
    expect(() => parseRuleToml(text, 'rules/bad.toml')).toThrow(
      'rules/bad.toml: rule.query: line 2, column 7: unknown function stringcontain(); did you mean stringContains()?',
    );
  });

  it('refuses | head and | tail, which cut a search result a streaming rule does not have', () => {
    expect(problemsOf(eqlRule('any where event.action == "A" | head 5'))).toEqual([
      expect.stringMatching(/^rule\.query: line 1, column 33: \| head keeps the first or last results/),
    ]);
  });

  it('pairs the type and the language as Elastic does', () => {
    const eqlInKql = eqlRule(SINGLE).replace('language = "eql"', 'language = "kuery"');
    expect(problemsOf(eqlInKql)).toEqual(['rule.language: "kuery" is the language of query, new_terms and threshold rules; a eql rule\'s language is "eql"']);
    const queryInEql = seedText.replace('language = "kuery"', 'language = "eql"');
    expect(problemsOf(queryInEql)).toEqual(['rule.language: "eql" is the language of eql rules (type = "eql"); a query rule\'s language is "kuery"']);
    expect(problemsOf(eqlRule(SINGLE).replace('language = "eql"', 'language = "lucene"'))).toEqual(['rule.language: "lucene" is not supported; use "eql" (EQL)']);
  });

  it('refuses the EQL-only settings on a KQL rule, where they would be ignored', () => {
    const text = seedText.replace('type = "query"', 'type = "query"\nevent_category_override = "event.type"');
    expect(problemsOf(text)).toEqual(['rule.event_category_override: only an eql rule has event_category_override; this rule\'s type is "query"']);
  });
});

describe('EQL rules: compiled form', () => {
  it('a single-event rule matches what its EQL filter matches, reading the category from the override', () => {
    const [compiled] = compileRules([parseRuleToml(eqlRule(SINGLE, 'event_category_override = "event.type"'), 'r.toml')]);
    expect(compiled.eql?.query.kind).toBe('event');
    expect(compiled.eql?.options).toEqual({ eventCategoryField: 'event.type' });
    const document = { event: { provider: 'rds.amazonaws.com', type: ['info'], category: ['database'] }, aws: { cloudtrail: { request_parameters: '{attributeName=restore, valuesToAdd=[111122223333]}' } } };
    expect(compiled.matches(document)).toBe(true);
    expect(compiled.matches({ ...document, event: { ...document.event, type: ['change'] } })).toBe(false);
    expect(compiled.matches({ ...document, aws: { cloudtrail: { request_parameters: '{attributeName=restore, valuesToRemove=[111122223333]}' } } })).toBe(false);
    // The rule index reads a KQL superset: event.provider is required.
    expect(JSON.stringify(compiled.ast)).toContain('rds.amazonaws.com');
    expect(isSequenceRule(compiled.rule)).toBe(false);
  });

  it('a sequence rule compiles to its stages, by keys, maxspan and until; it "matches" an event of any stage', () => {
    const [compiled] = compileRules([parseRuleToml(eqlRule(SEQUENCE), 'r.toml')]);
    expect(isSequenceRule(compiled.rule)).toBe(true);
    const query = compiled.eql?.query;
    if (query?.kind !== 'sequence') throw new Error('expected a sequence');
    expect(query.by.map((key) => key.name)).toEqual(['user.name']);
    expect(query.maxspan?.milliseconds).toBe(15 * 60_000);
    expect(query.stages).toHaveLength(2);
    expect(query.until?.filter.category).toBeNull();
    for (const action of ['ListFoundationModels', 'invokemodel', 'DeleteAccessKey']) expect(compiled.matches({ event: { action } })).toBe(true);
    expect(compiled.matches({ event: { action: 'GetObject' } })).toBe(false);
  });

  it('a sequence rule loads and runs, in the strict loader too; the detector wants a state store for it', () => {
    const directory = packWith({ 'a.toml': eqlRule(SINGLE), 'b.toml': eqlRule(SEQUENCE).replace('119c8877-8613-416d-a98a-96b6664ee73a', '00000000-0000-4000-8000-000000000002') });
    const pack = loadRulePack(directory);
    expect(pack.rules.map((rule) => rule.type)).toEqual(['eql', 'eql']);
    expect(pack.unsupported).toEqual([]);
    expect(describeUnsupportedRules(pack.unsupported, pack.rules.length)).toEqual([]);
    expect(loadRuleDirectory(directory)).toHaveLength(2);
    expect(() => createDetector(compileRules([parseRuleToml(eqlRule(SEQUENCE), 'r.toml')]))).toThrow(/are new_terms, threshold or eql sequence rules and need a state store/);
  });
});

describeWithConformance('Elastic\'s 27 AWS EQL rules load', ['elastic-aws-eql-rules'], () => {
  it('all 27 run, the sequence among them; each keeps its event_category_override', () => {
    const pack = loadRulePack(conformancePath('elastic-aws-eql-rules'));
    expect(pack.rules).toHaveLength(27);
    expect(pack.unsupported).toEqual([]);
    expect(pack.rules.filter((rule) => rule.eventCategoryOverride === 'event.type')).toHaveLength(13);
    const compiled = compileRules(pack.rules);
    expect(compiled.filter((rule) => rule.eql?.query.kind === 'sequence').map((rule) => rule.rule.name)).toEqual([
      'AWS Bedrock Foundation Model Enumeration Followed by Invocation via Long-Term Key',
    ]);
  });
});

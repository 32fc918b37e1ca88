import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRulePack, parseRuleToml, RuleFileError, rulePackFromJson, rulePackToJson } from '../../../src/engine/rules';
import { lookbackMs } from '../../../src/engine/rules/validate-stateful-rule';
import { conformancePath, describeWithConformance } from '../../support/conformance-data';

const seedText = readFileSync(join(__dirname, '../../../rules/exfiltration_rds_snapshot_export.toml'), 'utf8');

const NEW_TERMS = `
[rule.new_terms]
field = "new_terms_fields"
value = ["cloud.account.id", "user.name"]
[[rule.new_terms.history_window_start]]
field = "history_window_start"
value = "now-7d"
`;

const THRESHOLD = `
[rule.threshold]
field = ["cloud.account.id"]
value = 10
[[rule.threshold.cardinality]]
field = "source.ip"
value = 3
`;

/** The seed rule turned into a rule of `type` with `table` appended (TOML tables may follow [[rule.threat]]). */
function ruleOf(type: string, table: string): string {
  return `${seedText.replace('type = "query"', `type = "${type}"`)}\n${table}`;
}

function problemsOf(text: string): { field: string; problem: string }[] {
  try {
    parseRuleToml(text, 'rules/stateful.toml');
  } catch (error) {
    expect(error).toBeInstanceOf(RuleFileError);
    expect((error as Error).message).toContain('rules/stateful.toml');
    return [...(error as RuleFileError).problems];
  }
  throw new Error('expected the rule to be rejected');
}

describe('new_terms rules', () => {
  it('load with their fields and history window as a duration', () => {
    const rule = parseRuleToml(ruleOf('new_terms', NEW_TERMS), 'rules/nt.toml');
    expect(rule.newTerms).toEqual({ fields: ['cloud.account.id', 'user.name'], historyWindowStart: 'now-7d', historyWindowMs: 7 * 86_400_000 });
    expect(rule.threshold).toBeUndefined();
  });

  it.each([
    ['no [rule.new_terms] at all', '', 'rule.new_terms', /missing; a new_terms rule needs \[rule\.new_terms\]/],
    ['four fields', NEW_TERMS.replace('"user.name"]', '"user.name", "a", "b"]'), 'rule.new_terms.value', /expected a list of 1 to 3 field names, found a list of 4/],
    ['no field', NEW_TERMS.replace('["cloud.account.id", "user.name"]', '[]'), 'rule.new_terms.value', /1 to 3 field names, found an empty list/],
    ['a field twice', NEW_TERMS.replace('"user.name"]', '"cloud.account.id"]'), 'rule.new_terms.value', /names a field more than once/],
    ['a month window', NEW_TERMS.replace('now-7d', 'now-1M'), 'rule.new_terms.history_window_start[0].value', /"now-1M" is not a history window such as "now-7d"/],
    ['a zero window', NEW_TERMS.replace('now-7d', 'now-0d'), 'rule.new_terms.history_window_start[0].value', /is not a history window/],
    ['the wrong marker', NEW_TERMS.replace('field = "new_terms_fields"', 'field = "fields"'), 'rule.new_terms.field', /expected "new_terms_fields"/],
    ['a misspelt key', NEW_TERMS.replace('value = ["cloud', 'values = ["cloud'), 'rule.new_terms.values', /unknown field; expected field, value, history_window_start/],
    ['no history window', NEW_TERMS.split('[[rule.new_terms.history_window_start]]')[0], 'rule.new_terms.history_window_start', /expected one \[\[rule\.new_terms\.history_window_start\]\] table/],
  ])('reject %s, naming the field', (_, table, field, problem) => {
    const found = problemsOf(ruleOf('new_terms', table)).find((p) => p.field === field);
    expect(found?.problem).toMatch(problem);
  });
});

describe('threshold rules', () => {
  it('load with group-by fields, count, cardinality and the window from `from`', () => {
    const rule = parseRuleToml(ruleOf('threshold', THRESHOLD).replace('from = "now-60m"', 'from = "now-6m"'), 'rules/th.toml');
    expect(rule.threshold).toEqual({ fields: ['cloud.account.id'], value: 10, cardinality: [{ field: 'source.ip', value: 3 }], windowMs: 360_000 });
  });

  it('accept no group-by field (one group for every event) and a single field written as a string', () => {
    expect(parseRuleToml(ruleOf('threshold', '[rule.threshold]\nfield = []\nvalue = 5\n'), 'a.toml').threshold?.fields).toEqual([]);
    expect(parseRuleToml(ruleOf('threshold', '[rule.threshold]\nvalue = 5\n'), 'a.toml').threshold?.fields).toEqual([]);
    expect(parseRuleToml(ruleOf('threshold', '[rule.threshold]\nfield = "user.id"\nvalue = 5\n'), 'a.toml').threshold?.fields).toEqual(['user.id']);
  });

  it('allow five group-by fields only for rules made for Elastic 9.2 or later', () => {
    const five = '[rule.threshold]\nfield = ["a", "b", "c", "d", "e"]\nvalue = 5\n';
    expect(problemsOf(ruleOf('threshold', five)).find((p) => p.field === 'rule.threshold.field')?.problem).toMatch(
      /0 to 3 field names \(5 with metadata.min_stack_version 9.2 or later\), found a list of 5/,
    );
    const modern = ruleOf('threshold', five).replace('[metadata]', '[metadata]\nmin_stack_version = "9.3.0"');
    expect(parseRuleToml(modern, 'a.toml').threshold?.fields).toHaveLength(5);
  });

  it.each([
    ['no [rule.threshold]', '', 'rule.threshold', /missing; a threshold rule needs \[rule\.threshold\]/],
    ['a zero count', THRESHOLD.replace('value = 10', 'value = 0'), 'rule.threshold.value', /whole number of events >= 1, found the number 0/],
    ['a fractional count', THRESHOLD.replace('value = 10', 'value = 2.5'), 'rule.threshold.value', /whole number of events >= 1/],
    ['two cardinality fields', `${THRESHOLD}[[rule.threshold.cardinality]]\nfield = "user.id"\nvalue = 2\n`, 'rule.threshold.cardinality', /one field only, found 2 entries/],
    ['a cardinality without a field', THRESHOLD.replace('field = "source.ip"\n', ''), 'rule.threshold.cardinality[0].field', /expected a field name, found nothing/],
    ['a zero distinct count', THRESHOLD.replace('value = 3', 'value = 0'), 'rule.threshold.cardinality[0].value', /distinct values >= 1/],
    ['an unknown key', THRESHOLD.replace('value = 10', 'value = 10\ncount = 3'), 'rule.threshold.count', /unknown field; expected field, value, cardinality/],
  ])('reject %s, naming the field', (_, table, field, problem) => {
    const found = problemsOf(ruleOf('threshold', table)).find((p) => p.field === field);
    expect(found?.problem).toMatch(problem);
  });

  it('refuse the settings of one stateful type on a rule of another', () => {
    expect(problemsOf(ruleOf('query', THRESHOLD)).find((p) => p.field === 'rule.threshold')?.problem).toMatch(/only a threshold rule has \[rule\.threshold\]; this rule's type is "query"/);
    expect(problemsOf(ruleOf('threshold', `${THRESHOLD}${NEW_TERMS}`)).find((p) => p.field === 'rule.new_terms')?.problem).toMatch(/only a new_terms rule/);
  });

  it('need a KQL query like query rules', () => {
    const eqlThreshold = ruleOf('threshold', THRESHOLD).replace('language = "kuery"', 'language = "eql"');
    expect(problemsOf(eqlThreshold).find((p) => p.field === 'rule.language')?.problem).toMatch(/"eql" is the language of eql rules \(type = "eql"\); a threshold rule's language is "kuery"/);
  });
});

describe('durations', () => {
  it.each([
    ['now-6m', 360_000],
    ['now-10d', 10 * 86_400_000],
    ['now-2w', 14 * 86_400_000],
    ['now-90s', 90_000],
    ['now-3h', 3 * 3_600_000],
    ['now-3H', 3 * 3_600_000],
  ])('%s is %d ms', (text, ms) => expect(lookbackMs(text)).toBe(ms));

  it.each(['now-1M', 'now-1y', 'now+5m', '7d', 'now-', 'now-0m', 'now-1.5d'])('%s has no fixed duration', (text) => expect(lookbackMs(text)).toBeUndefined());
});

describe('the rule pack JSON', () => {
  it('keeps the stateful settings through a round trip and refuses a stateful rule without them', () => {
    const rules = [parseRuleToml(ruleOf('new_terms', NEW_TERMS), 'nt.toml'), parseRuleToml(ruleOf('threshold', THRESHOLD).replace(/rule_id = "[^"]+"/, 'rule_id = "th-1"'), 'th.toml')];
    const json = rulePackToJson(rules);
    expect(rulePackFromJson(json, 'rules.json').map((compiled) => compiled.rule)).toEqual(rules);
    const pack = JSON.parse(json);
    delete pack.rules[1].threshold;
    expect(() => rulePackFromJson(JSON.stringify(pack), 'rules.json')).toThrow(/rules\.json rules\[1\]: threshold: a threshold rule needs/);
  });
});

describeWithConformance('the 54 stateful rules of Elastic\'s AWS pack', ['elastic-aws-kuery-rules'], () => {
  it('all validate with their settings', () => {
    const pack = loadRulePack(conformancePath('elastic-aws-kuery-rules'));
    expect(pack.rules).toHaveLength(139);
    const stateful = pack.rules.filter((rule) => rule.type !== 'query');
    expect(stateful.filter((rule) => rule.type === 'new_terms')).toHaveLength(49);
    expect(stateful.filter((rule) => rule.type === 'threshold')).toHaveLength(5);
    for (const rule of stateful) {
      if (rule.type === 'new_terms') {
        expect(rule.newTerms?.fields.length).toBeGreaterThanOrEqual(1);
        expect(rule.newTerms?.historyWindowMs).toBeGreaterThanOrEqual(5 * 86_400_000);
        expect(rule.newTerms?.historyWindowMs).toBeLessThanOrEqual(14 * 86_400_000);
      } else {
        expect(rule.threshold?.windowMs).toBe(360_000);
        expect(rule.threshold?.value).toBeGreaterThanOrEqual(1);
      }
    }
  });
});

describe('alert suppression of a threshold rule', () => {
  it('is by the threshold group, as Elastic writes it (duration only)', () => {
    const rule = parseRuleToml(ruleOf('threshold', `${THRESHOLD}\n[rule.alert_suppression]\nduration = { value = 30, unit = "m" }\n`), 'th.toml');
    expect(rule.alertSuppression).toEqual({ groupBy: ['cloud.account.id'], duration: { value: 30, unit: 'm' }, missingFieldsStrategy: 'suppress' });
  });
});

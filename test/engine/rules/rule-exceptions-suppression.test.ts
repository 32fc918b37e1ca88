import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRuleToml, RuleFileError, rulePackFromJson, rulePackToJson } from '../../../src/engine/rules';

const seedText = readFileSync(join(__dirname, '../../../rules/exfiltration_rds_snapshot_export.toml'), 'utf8');

const withRuleKeys = (lines: string): string => seedText.replace('risk_score = 21', `risk_score = 21\n${lines}`);
const withSuppression = (body: string): string => `${seedText}\n[rule.alert_suppression]\n${body}\n`;

function problemsOf(text: string): { field: string; problem: string }[] {
  try {
    parseRuleToml(text, 'rules/broken.toml');
  } catch (error) {
    expect(error).toBeInstanceOf(RuleFileError);
    return [...(error as RuleFileError).problems];
  }
  throw new Error('expected the rule to be rejected');
}

describe('exceptions_list', () => {
  it('is empty when the rule names no list', () => {
    const rule = parseRuleToml(seedText, 'rules/seed.toml');
    expect(rule.exceptionsList).toEqual([]);
    expect(rule.alertSuppression).toBeUndefined();
  });

  it('reads Elastic\'s { id, list_id, namespace_type, type } entries', () => {
    const rule = parseRuleToml(
      withRuleKeys(
        'exceptions_list = [\n' +
          '  { id = "6f1b2c30-9a4e-11f1-8c2d-3b5e7a9c1d02", list_id = "nightly-backup-exceptions", namespace_type = "single", type = "detection" },\n' +
          '  { list_id = "shared", namespace_type = "agnostic", type = "detection" },\n' +
          '  { list_id = "defaulted", type = "rule_default" },\n' +
          ']',
      ),
      'rules/seed.toml',
    );
    expect(rule.exceptionsList).toEqual([
      { id: '6f1b2c30-9a4e-11f1-8c2d-3b5e7a9c1d02', listId: 'nightly-backup-exceptions', namespaceType: 'single', type: 'detection' },
      { listId: 'shared', namespaceType: 'agnostic', type: 'detection' },
      { listId: 'defaulted', namespaceType: 'single', type: 'rule_default' },
    ]);
  });

  it('rejects malformed entries, naming the field', () => {
    expect(problemsOf(withRuleKeys('exceptions_list = "nightly"'))).toEqual([
      { field: 'rule.exceptions_list', problem: expect.stringMatching(/expected a list/) },
    ]);
    expect(problemsOf(withRuleKeys('exceptions_list = [{ list_id = "", type = "detection", namespace_type = "global", lst = 1 }]'))).toEqual([
      { field: 'rule.exceptions_list[0].lst', problem: expect.stringMatching(/unknown field/) },
      { field: 'rule.exceptions_list[0].list_id', problem: 'expected a non-empty string, found an empty string' },
      { field: 'rule.exceptions_list[0].namespace_type', problem: 'the string "global" is not one of single, agnostic' },
    ]);
    expect(problemsOf(withRuleKeys('exceptions_list = ["nightly"]'))[0].field).toBe('rule.exceptions_list[0]');
  });
});

describe('[rule.alert_suppression]', () => {
  it('reads group_by, duration and missing_fields_strategy (default "suppress")', () => {
    const rule = parseRuleToml(withSuppression('group_by = ["user.name", "source.ip"]\nduration = { value = 5, unit = "m" }'), 'rules/seed.toml');
    expect(rule.alertSuppression).toEqual({ groupBy: ['user.name', 'source.ip'], duration: { value: 5, unit: 'm' }, missingFieldsStrategy: 'suppress' });
    const other = parseRuleToml(
      withSuppression('group_by = ["user.name"]\nduration = { value = 1, unit = "h" }\nmissing_fields_strategy = "doNotSuppress"'),
      'rules/seed.toml',
    );
    expect(other.alertSuppression?.missingFieldsStrategy).toBe('doNotSuppress');
  });

  it.each([
    ['group_by = []\nduration = { value = 5, unit = "m" }', 'rule.alert_suppression.group_by', /1 to 3 field names/],
    ['group_by = ["a", "b", "c", "d"]\nduration = { value = 5, unit = "m" }', 'rule.alert_suppression.group_by', /1 to 3 field names, found a list of 4/],
    ['group_by = ["a", "a"]\nduration = { value = 5, unit = "m" }', 'rule.alert_suppression.group_by', /more than once/],
    ['group_by = ["a", 3]\nduration = { value = 5, unit = "m" }', 'rule.alert_suppression.group_by[1]', /expected a field name/],
    ['group_by = ["a"]', 'rule.alert_suppression.duration', /missing; expected e\.g\./],
    ['group_by = ["a"]\nduration = { value = 5, unit = "d" }', 'rule.alert_suppression.duration.unit', /"d" is not one of s, m, h/],
    ['group_by = ["a"]\nduration = { value = 0, unit = "m" }', 'rule.alert_suppression.duration.value', /positive integer/],
    ['group_by = ["a"]\nduration = { value = 1.5, unit = "m" }', 'rule.alert_suppression.duration.value', /positive integer/],
    ['group_by = ["a"]\nduration = { value = 5, unit = "m" }\nmissing_fields_strategy = "ignore"', 'rule.alert_suppression.missing_fields_strategy', /"ignore" is not one of suppress, doNotSuppress/],
    ['group_by = ["a"]\nduration = { value = 5, unit = "m" }\nwindow = 3', 'rule.alert_suppression.window', /unknown field/],
  ])('rejects %j at %s', (body, field, problem) => {
    const found = problemsOf(withSuppression(body)).find((p) => p.field === field);
    expect(found).toBeDefined();
    expect(found!.problem).toMatch(problem);
  });

  it('survives the rule pack round trip with exceptions_list', () => {
    const rule = parseRuleToml(
      withSuppression('group_by = ["user.name"]\nduration = { value = 5, unit = "m" }').replace(
        'risk_score = 21',
        'risk_score = 21\nexceptions_list = [{ list_id = "x", namespace_type = "single", type = "detection" }]',
      ),
      'rules/seed.toml',
    );
    const [compiled] = rulePackFromJson(rulePackToJson([rule]), 'rules.json');
    expect(compiled.rule.alertSuppression).toEqual(rule.alertSuppression);
    expect(compiled.rule.exceptionsList).toEqual(rule.exceptionsList);
  });
});

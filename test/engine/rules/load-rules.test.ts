import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRuleDirectory, parseRuleToml, RuleFileError, rulePackFromJson, rulePackToJson } from '../../../src/engine/rules';

const RULES_DIR = join(__dirname, '../../../rules');
const SEED_FILE = join(RULES_DIR, 'exfiltration_rds_snapshot_export.toml');
const seedText = readFileSync(SEED_FILE, 'utf8');

function expectRuleError(text: string, field: string, problem: RegExp): RuleFileError {
  try {
    parseRuleToml(text, 'rules/broken.toml');
  } catch (error) {
    expect(error).toBeInstanceOf(RuleFileError);
    const ruleError = error as RuleFileError;
    expect(ruleError.message).toContain('rules/broken.toml');
    const found = ruleError.problems.find((p) => p.field === field);
    expect(found).toBeDefined();
    expect(found!.problem).toMatch(problem);
    return ruleError;
  }
  throw new Error('expected the rule to be rejected');
}

describe('the shipped rule', () => {
  const [rule] = loadRuleDirectory(RULES_DIR);

  it('carries the values of Elastic rule 119c8877', () => {
    expect(rule.ruleId).toBe('119c8877-8613-416d-a98a-96b6664ee73a');
    expect(rule.name).toBe('AWS RDS Snapshot Export');
    expect(rule.severity).toBe('low');
    expect(rule.riskScore).toBe(21);
    expect(rule.type).toBe('query');
    expect(rule.language).toBe('kuery');
    expect(rule.query.trim()).toBe(
      'event.dataset:aws.cloudtrail and event.provider:rds.amazonaws.com and event.action:StartExportTask and event.outcome:success',
    );
    expect(rule.references).toContain('https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StartExportTask.html');
    expect(rule.threat).toHaveLength(1);
    expect(rule.threat[0].tactic).toEqual({ id: 'TA0010', name: 'Exfiltration', reference: 'https://attack.mitre.org/tactics/TA0010/' });
  });

  it('has a concrete investigation guide and false-positive text', () => {
    expect(rule.note).toMatch(/Investigation steps/);
    for (const field of ['sourceArn', 's3BucketName', 'kmsKeyId', 'iamRoleArn', 'source.ip', 'user_agent.original']) {
      expect(rule.note).toContain(field);
    }
    expect(rule.note).toMatch(/24 hours/);
    expect(rule.falsePositives.length).toBeGreaterThanOrEqual(2);
  });

  it('is the only rule in rules/ and its file name is kept for the report', () => {
    expect(loadRuleDirectory(RULES_DIR)).toHaveLength(1);
    expect(rule.sourceFile).toMatch(/exfiltration_rds_snapshot_export\.toml$/);
  });
});

describe('rule validation names the file, the field and the problem', () => {
  it('rejects invalid TOML with line and column', () => {
    const error = expectRuleError('[rule]\nname = "x\n', '', /invalid TOML at line 2, column \d+/);
    expect(error.message).toMatch(/^rules\/broken\.toml: invalid TOML/);
  });

  it('rejects a severity outside Elastic\'s set', () => {
    expectRuleError(seedText.replace('severity = "low"', 'severity = "urgent"'), 'rule.severity', /"urgent" is not one of low, medium, high, critical/);
  });

  it('rejects a risk score out of range', () => {
    expectRuleError(seedText.replace('risk_score = 21', 'risk_score = 250'), 'rule.risk_score', /250 is not an integer from 0 to 100/);
  });

  it('rejects a query that does not parse, with its position', () => {
    expectRuleError(seedText.replace('event.outcome:success', 'event.outcome:'), 'rule.query', /line \d+, column \d+/);
  });

  it('reports a misspelt key with a suggestion', () => {
    expectRuleError(seedText.replace('risk_score = 21', 'risk_score = 21\nseverty = "low"'), 'rule.severty', /unknown field \(did you mean "severity"\?\)/);
  });

  it('reports a missing required field', () => {
    expectRuleError(seedText.replace(/^name = .*$/m, ''), 'rule.name', /missing/);
  });

  it('rejects rule types the engine cannot run, saying which it can', () => {
    expectRuleError(seedText.replace('type = "query"', 'type = "machine_learning"'), 'rule.type', /"machine_learning" rules are not supported; this engine runs: query/);
  });

  it('refuses query filters and saved queries rather than ignoring them', () => {
    const withFilter = `${seedText}\n[[rule.filters]]\nmeta = { negate = true, key = "user.name" }\nquery = { match_phrase = { "user.name" = "svc-backup" } }\n`;
    expectRuleError(withFilter, 'rule.filters', /not evaluated by this engine; fold them into rule\.query/);
    expectRuleError(seedText.replace('type = "query"', 'type = "query"\nsaved_id = "my-saved-search"'), 'rule.saved_id', /cannot be resolved here/);
  });

  it('rejects a malformed MITRE mapping', () => {
    expectRuleError(seedText.replace('id = "TA0010"\n', ''), 'rule.threat[0].tactic.id', /expected a non-empty string/);
  });

  it('reports every problem of a file at once', () => {
    const error = expectRuleError(
      seedText.replace('severity = "low"', 'severity = "urgent"').replace('risk_score = 21', 'risk_score = -1'),
      'rule.severity',
      /urgent/,
    );
    expect(error.problems.map((p) => p.field)).toEqual(expect.arrayContaining(['rule.severity', 'rule.risk_score']));
    expect(error.message).toMatch(/2 problems/);
  });

  it('rejects two files with the same rule_id, naming both', () => {
    const directory = mkdtempSync(join(tmpdir(), 'rules-'));
    writeFileSync(join(directory, 'a.toml'), seedText);
    writeFileSync(join(directory, 'b.toml'), seedText.replace('name = "AWS RDS Snapshot Export"', 'name = "Copy"'));
    expect(() => loadRuleDirectory(directory)).toThrow(/b\.toml: rule\.rule_id: "119c8877-8613-416d-a98a-96b6664ee73a" is already used by .*a\.toml/);
  });

  it('rejects an empty or missing directory', () => {
    expect(() => loadRuleDirectory(mkdtempSync(join(tmpdir(), 'rules-')))).toThrow(/no \*\.toml rule files/);
    expect(() => loadRuleDirectory('/nonexistent/rules')).toThrow(/cannot read the rules directory/);
  });
});

describe('the packaged rule pack', () => {
  it('round-trips through JSON and compiles', () => {
    const rules = loadRuleDirectory(RULES_DIR);
    const compiled = rulePackFromJson(rulePackToJson(rules), 'rules.json');
    expect(compiled.map((c) => c.rule)).toEqual(rules);
    expect(compiled[0].ast.type).toBe('and');
  });

  it('refuses a pack that is not one', () => {
    expect(() => rulePackFromJson('{"rules": []}', 'rules.json')).toThrow(/rules\.json: format: not a version 1/);
    expect(() => rulePackFromJson('{', 'rules.json')).toThrow(/rules\.json: not valid JSON/);
    const pack = JSON.parse(rulePackToJson(loadRuleDirectory(RULES_DIR)));
    delete pack.rules[0].query;
    expect(() => rulePackFromJson(JSON.stringify(pack), 'rules.json')).toThrow(/rules\.json rules\[0\]: query: expected a string/);
  });
});

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRuleDirectory, loadRulePack, RuleFileError } from '../../../src/engine/rules';
import { conformancePath, describeWithConformance } from '../../support/conformance-data';

const RULES_DIR = join(__dirname, '../../../rules');
const seedText = readFileSync(join(RULES_DIR, 'exfiltration_rds_snapshot_export.toml'), 'utf8');
const ELASTIC_PACK = conformancePath('elastic-aws-kuery-rules');

interface IndexEntry {
  readonly file: string;
  readonly rule_id: string;
  readonly name: string;
  readonly type: string;
  readonly group: string;
}

function packWith(files: Record<string, string>): string {
  const directory = mkdtempSync(join(tmpdir(), 'rule-pack-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
  return directory;
}

// ES|QL: a valid rule of a type no door runs (its query is in its own language, so it is not parsed as KQL).
const esqlText = seedText
  .replace('type = "query"', 'type = "esql"')
  .replace('language = "kuery"', 'language = "esql"')
  .replace('119c8877-8613-416d-a98a-96b6664ee73a', '00000000-0000-4000-8000-000000000001')
  .replace('name = "AWS RDS Snapshot Export"', 'name = "Many exports"');

describe('loadRulePack', () => {
  it('runs supported rules and reports the others with their file, id, name and type', () => {
    const pack = loadRulePack(packWith({ 'a.toml': seedText, 'b.toml': esqlText }));
    expect(pack.rules.map((rule) => rule.ruleId)).toEqual(['119c8877-8613-416d-a98a-96b6664ee73a']);
    expect(pack.unsupported).toEqual([
      { file: expect.stringMatching(/b\.toml$/), ruleId: '00000000-0000-4000-8000-000000000001', name: 'Many exports', type: 'esql' },
    ]);
  });

  it('still validates every other field of an unsupported rule, naming the file', () => {
    const broken = esqlText.replace('severity = "low"', 'severity = "urgent"');
    const directory = packWith({ 'a.toml': seedText, 'broken.toml': broken });
    expect(() => loadRulePack(directory)).toThrow(RuleFileError);
    expect(() => loadRulePack(directory)).toThrow(/broken\.toml: rule\.severity: "urgent" is not one of/);
  });

  it('fails on a broken supported rule, naming the file', () => {
    const directory = packWith({ 'a.toml': seedText, 'z.toml': 'this is = = not toml' });
    expect(() => loadRulePack(directory)).toThrow(/z\.toml: invalid TOML at line 1/);
  });

  it('accepts an unsupported type whose query language is its own (esql) but not a query rule in esql', () => {
    expect(loadRulePack(packWith({ 'a.toml': seedText, 'e.toml': esqlText })).unsupported.map((rule) => rule.type)).toEqual(['esql']);
    const queryInEsql = seedText.replace('language = "kuery"', 'language = "esql"');
    expect(() => loadRulePack(packWith({ 'q.toml': queryInEsql }))).toThrow(/q\.toml: rule\.language: "esql" is not supported; use "kuery"/);
  });

  it('rejects a rule_id used by a supported and an unsupported rule alike', () => {
    const sameId = esqlText.replace('00000000-0000-4000-8000-000000000001', '119c8877-8613-416d-a98a-96b6664ee73a');
    expect(() => loadRulePack(packWith({ 'a.toml': seedText, 'b.toml': sameId }))).toThrow(/b\.toml: rule\.rule_id: .* is already used by .*a\.toml/);
  });
});

describe('loadRuleDirectory (strict: every rule must run)', () => {
  it('fails on an unsupported rule type, naming the file and the types it can run', () => {
    const directory = packWith({ 'a.toml': seedText, 'b.toml': esqlText });
    expect(() => loadRuleDirectory(directory)).toThrow(/b\.toml: rule\.type: "esql" rules are not supported; this engine runs: query/);
  });
});

describeWithConformance('the 139 production Elastic AWS rules', ['elastic-aws-kuery-rules/index.json'], () => {
  const index = (JSON.parse(readFileSync(join(ELASTIC_PACK, 'index.json'), 'utf8')) as IndexEntry[]).filter(
    (entry) => entry.group === 'production',
  );
  const pack = loadRulePack(ELASTIC_PACK);

  it('all load and all run: 85 query, 49 new_terms and 5 threshold rules, none unsupported, none failing', () => {
    expect(index).toHaveLength(139);
    expect(pack.rules).toHaveLength(139);
    expect(pack.unsupported).toEqual([]);
  });

  it('loads each rule with the name and type index.json gives it', () => {
    const expected = index
      .map((entry) => ({ file: entry.file, ruleId: entry.rule_id, name: entry.name, type: entry.type }))
      .sort((a, b) => a.file.localeCompare(b.file));
    const loaded = pack.rules
      .map((rule) => ({ file: rule.sourceFile.split(/[\\/]/).pop(), ruleId: rule.ruleId, name: rule.name, type: rule.type }))
      .sort((a, b) => (a.file ?? '').localeCompare(b.file ?? ''));
    expect(loaded).toEqual(expected);
    expect(new Set(loaded.map((rule) => rule.type))).toEqual(new Set(['query', 'new_terms', 'threshold']));
  });
});

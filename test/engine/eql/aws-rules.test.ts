/**
 * Elastic's 27 AWS EQL rules (../shared/conformance/elastic-aws-eql-rules, never copied here): every query parses
 * and compiles, and each rule alerts on a realistic CloudTrail record (normalized to ECS by our pipeline) and
 * ignores its near misses. The Bedrock sequence must see both steps under one access key within 15 minutes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { normalizeCloudTrail } from '../../../src/engine/ecs';
import {
  compileEventFilter,
  createSequenceMatcher,
  parseEql,
  runEql,
  type EqlQuery,
  type EqlSequenceQuery,
  type SequenceKeyState,
} from '../../../src/engine/eql';
import { conformancePath, describeWithConformance } from '../../support/conformance-data';
import { BEDROCK_SEQUENCE_RULE, bedrockCall, failed, SINGLE_EVENT_RULE_RECORDS } from './support/aws-rule-records';

const RULES_DIR = 'elastic-aws-eql-rules';

interface EqlRuleFile {
  readonly file: string;
  readonly name: string;
  readonly query: string;
  readonly eventCategoryField: string;
}

function loadRules(): EqlRuleFile[] {
  const folder = conformancePath(RULES_DIR);
  return fs
    .readdirSync(folder)
    .filter((file) => file.endsWith('.toml'))
    .sort()
    .map((file) => {
      const { rule } = parseToml(fs.readFileSync(path.join(folder, file), 'utf8')) as { rule: Record<string, unknown> };
      expect(rule.language).toBe('eql');
      return {
        file,
        name: String(rule.name),
        query: String(rule.query),
        eventCategoryField: typeof rule.event_category_override === 'string' ? rule.event_category_override : 'event.category',
      };
    });
}

const RECEIVED_AT = new Date('2026-11-20T03:16:00Z');
const ecs = (record: Record<string, unknown>) => normalizeCloudTrail(record, { receivedAt: RECEIVED_AT });

describeWithConformance('Elastic AWS EQL rules', [RULES_DIR], () => {
  const rules = loadRules();
  const byFile = new Map(rules.map((rule) => [rule.file, rule]));

  test('the folder holds the 27 rules of index.json, one of them a sequence', () => {
    const index = JSON.parse(fs.readFileSync(conformancePath(RULES_DIR, 'index.json'), 'utf8')) as { file: string; query: string }[];
    expect(rules).toHaveLength(27);
    expect(index.map((entry) => entry.file).sort()).toEqual(rules.map((rule) => rule.file));
    for (const entry of index) expect(byFile.get(entry.file)?.query).toBe(entry.query);
    expect(rules.filter((rule) => parseEql(rule.query).kind === 'sequence').map((rule) => rule.file)).toEqual([BEDROCK_SEQUENCE_RULE]);
    expect(Object.keys(SINGLE_EVENT_RULE_RECORDS).sort()).toEqual(rules.map((rule) => rule.file).filter((file) => file !== BEDROCK_SEQUENCE_RULE));
  });

  test.each(rules.map((rule) => [rule.file, rule] as const))('%s parses and compiles', (_, rule) => {
    const query: EqlQuery = parseEql(rule.query);
    const options = { eventCategoryField: rule.eventCategoryField };
    if (query.kind === 'event') {
      // It must also answer on a document that has none of its fields.
      expect(compileEventFilter(query.filter, options)({})).toBe(false);
    } else {
      expect(createSequenceMatcher(query, options).route({})).toEqual([]);
    }
  });

  describe('single-event rules', () => {
    const cases = Object.entries(SINGLE_EVENT_RULE_RECORDS).map(([file, records]) => [file, records] as const);

    test.each(cases)('%s alerts on its record and ignores the near misses', (file, records) => {
      const rule = byFile.get(file);
      if (!rule) throw new Error(`${file} is not in ${RULES_DIR}`);
      const query = parseEql(rule.query);
      if (query.kind !== 'event') throw new Error(`${file} is not a single-event rule`);
      const matches = compileEventFilter(query.filter, { eventCategoryField: rule.eventCategoryField });
      expect(matches(ecs(records.alerts))).toBe(true);
      expect(matches(ecs(failed(records.alerts)))).toBe(false);
      for (const { why, record } of records.ignores) {
        expect({ why, matched: matches(ecs(record)) }).toEqual({ why, matched: false });
      }
    });

    test('the RDS snapshot rule reads "valuesToAdd=[*]" as a wildcard: any account added to restore alerts', () => {
      const rule = byFile.get('exfiltration_rds_snapshot_shared_with_another_account.toml') as EqlRuleFile;
      const query = parseEql(rule.query) as Extract<EqlQuery, { kind: 'event' }>;
      const matches = compileEventFilter(query.filter, { eventCategoryField: rule.eventCategoryField });
      const record = SINGLE_EVENT_RULE_RECORDS[rule.file].alerts;
      const document = ecs(record);
      expect((document.aws as { cloudtrail: { request_parameters: string } }).cloudtrail.request_parameters).toContain('valuesToAdd=[999988887777]');
      expect(matches(document)).toBe(true);
      const withAll = { ...record, requestParameters: { ...(record.requestParameters as object), valuesToAdd: ['all'] } };
      expect(matches(ecs(withAll))).toBe(true);
      // The rule reads event.type (its event_category_override), not event.category, which the pipeline leaves unset.
      expect(compileEventFilter(query.filter)(document)).toBe(false);
    });

    test('the public S3 policy rule reads "Principal=\\\\*" as a literal asterisk', () => {
      const rule = byFile.get('exfiltration_s3_bucket_policy_added_for_public_access.toml') as EqlRuleFile;
      const query = parseEql(rule.query) as Extract<EqlQuery, { kind: 'event' }>;
      const matches = compileEventFilter(query.filter, { eventCategoryField: rule.eventCategoryField });
      const record = SINGLE_EVENT_RULE_RECORDS[rule.file].alerts;
      const document = ecs(record);
      expect((document.aws as { cloudtrail: { request_parameters: string } }).cloudtrail.request_parameters).toContain('Principal=*');
      expect(matches(document)).toBe(true);
    });
  });

  describe('the Bedrock sequence rule', () => {
    const rule = () => byFile.get(BEDROCK_SEQUENCE_RULE) as EqlRuleFile;
    const query = () => parseEql(rule().query) as EqlSequenceQuery;
    const run = (records: Record<string, unknown>[]) => runEql(query(), records.map(ecs), { eventCategoryField: rule().eventCategoryField, size: 100 });

    test('alerts on ListFoundationModels then InvokeModel with one long-term key within 15 minutes', () => {
      const result = run([bedrockCall('ListFoundationModels', '2026-11-20T03:00:00Z'), bedrockCall('InvokeModel', '2026-11-20T03:14:59Z')]);
      expect(result.kind).toBe('sequences');
      if (result.kind !== 'sequences') return;
      expect(result.sequences).toHaveLength(1);
      expect(result.sequences[0].key).toEqual(['AKIAEXAMPLELONGTERM1']);
      expect(result.sequences[0].events.map((hit) => hit?.index)).toEqual([0, 1]);
    });

    test('accepts exactly 15 minutes and the case-insensitive action list', () => {
      const result = run([bedrockCall('ListFoundationModels', '2026-11-20T03:00:00Z'), bedrockCall('Converse', '2026-11-20T03:15:00Z')]);
      expect(result.kind === 'sequences' && result.sequences.length).toBe(1);
    });

    test.each([
      ['more than 15 minutes apart', [bedrockCall('ListFoundationModels', '2026-11-20T03:00:00Z'), bedrockCall('InvokeModel', '2026-11-20T03:15:01Z')]],
      ['in the wrong order', [bedrockCall('InvokeModel', '2026-11-20T03:00:00Z'), bedrockCall('ListFoundationModels', '2026-11-20T03:01:00Z')]],
      ['under two different keys', [bedrockCall('ListFoundationModels', '2026-11-20T03:00:00Z'), bedrockCall('InvokeModel', '2026-11-20T03:01:00Z', 'AKIAEXAMPLELONGTERM2')]],
      ['with a session key', [bedrockCall('ListFoundationModels', '2026-11-20T03:00:00Z', 'ASIAEXAMPLESESSION01'), bedrockCall('InvokeModel', '2026-11-20T03:01:00Z', 'ASIAEXAMPLESESSION01')]],
      ['when the invocation failed', [bedrockCall('ListFoundationModels', '2026-11-20T03:00:00Z'), failed(bedrockCall('InvokeModel', '2026-11-20T03:01:00Z'))]],
    ])('does not alert %s', (_, records) => {
      const result = run(records);
      expect(result.kind === 'sequences' && result.sequences).toEqual([]);
    });

    test('the streaming state machine gives the same answer with the state stored as JSON between events', () => {
      const matcher = createSequenceMatcher(query(), { eventCategoryField: rule().eventCategoryField });
      const store = new Map<string, string>();
      const matches: unknown[] = [];
      const records = [
        bedrockCall('ListFoundationModels', '2026-11-20T03:00:00Z'),
        bedrockCall('ListFoundationModels', '2026-11-20T03:05:00Z', 'AKIAEXAMPLELONGTERM2'),
        bedrockCall('InvokeModel', '2026-11-20T03:10:00Z'),
        bedrockCall('InvokeModel', '2026-11-20T03:30:00Z', 'AKIAEXAMPLELONGTERM2'),
      ];
      for (const record of records) {
        const document = ecs(record);
        for (const route of matcher.route(document)) {
          const stored = store.get(route.keyId);
          const step = matcher.step(stored === undefined ? undefined : (JSON.parse(stored) as SequenceKeyState), route, {
            timestamp: Date.parse(String(document['@timestamp'])),
            ref: String(record.eventID),
          });
          if (step.state) store.set(route.keyId, JSON.stringify(step.state));
          else store.delete(route.keyId);
          matches.push(...step.matches.map((match) => ({ key: match.key, refs: match.events.map((event) => event?.ref) })));
        }
      }
      expect(matches).toEqual([{ key: ['AKIAEXAMPLELONGTERM1'], refs: ['ListFoundationModels-2026-11-20T03:00:00Z', 'InvokeModel-2026-11-20T03:10:00Z'] }]);
      // The second key's step 1 is past maxspan: nothing is left to remember for either key.
      expect([...store.keys()]).toEqual([]);
    });
  });
});

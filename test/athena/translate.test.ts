import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseKql } from '../../src/engine/kql';
import { loadRulePack } from '../../src/engine/rules';
import { cloudTrailTableDdl } from '../../src/athena/ddl';
import { translateRule } from '../../src/athena/rule-query';
import { formatCondition, translateKql, UntranslatableError } from '../../src/athena/translate';
import { runCli } from '../cli/cli-harness';
import { conformancePath, describeWithConformance } from '../support/conformance-data';
import { newKeyPairRule, rootBruteForceRule } from '../support/stateful-fixtures';

const ROOT = resolve(__dirname, '..', '..');
const where = (kql: string): string => formatCondition(translateKql(parseKql(kql)));

describe('athena: seed rule', () => {
  it('prints the exact SQL for the RDS snapshot export rule', () => {
    const [rule] = loadRulePack(join(ROOT, 'rules')).rules;
    const result = translateRule(rule, { database: 'default', table: 'cloudtrail_logs', since: '2024-01-01', until: '2024-01-31' });
    expect(result.ok).toBe(true);
    expect(result.sql.split('\n').slice(3).join('\n')).toBe(`SELECT
  '119c8877-8613-416d-a98a-96b6664ee73a' AS rule_id,
  'AWS RDS Snapshot Export' AS rule_name,
  eventtime,
  eventid,
  eventsource,
  eventname,
  awsregion,
  recipientaccountid,
  useridentity.arn AS useridentity_arn,
  useridentity.type AS useridentity_type,
  sourceipaddress,
  useragent,
  requestparameters,
  errorcode
FROM "default"."cloudtrail_logs"
WHERE "timestamp" >= '2024/01/01'
  AND eventtime >= '2024-01-01T00:00:00Z'
  AND "timestamp" <= '2024/02/01'
  AND eventtime < '2024-02-01T00:00:00Z'
  AND eventsource = 'rds.amazonaws.com'
  AND eventname = 'StartExportTask'
  AND (COALESCE(errorcode, '') IN ('', '-', 'none') AND COALESCE(errormessage, '') IN ('', '-', 'none'));
`);
  });
});

describe('athena: KQL semantics', () => {
  it('escapes quotes, LIKE metacharacters and keeps an escaped asterisk literal', () => {
    expect(where(`user_agent.original: "O'Brien"`)).toBe(`useragent = 'O''Brien'`);
    expect(where(String.raw`user_agent.original: *it's\*100%_a\\b*`)).toBe(String.raw`useragent LIKE '%it''s*100\%\_a\\b%' ESCAPE '\'`);
    expect(where(String.raw`user_agent.original: a\*b`)).toBe(`useragent = 'a*b'`);
  });

  it('guards wildcards and exists checks against values null removal drops', () => {
    expect(where('user_agent.original: *n*')).toBe(`useragent LIKE '%n%' ESCAPE '\\'\n  AND useragent NOT IN ('', '-', 'none')`);
    expect(where('source.address: *')).toBe(`sourceipaddress IS NOT NULL\n  AND sourceipaddress NOT IN ('', '-', 'none')`);
    expect(where('event.provider: "-"')).toBe('FALSE');
  });

  it('makes not true for a missing field', () => {
    expect(where('not aws.cloudtrail.user_identity.type: "AWSService"')).toBe(`NOT COALESCE(useridentity.type = 'AWSService', FALSE)`);
    expect(where('not user_agent.original: (*terraform* or "x")')).toBe(
      `NOT COALESCE((useragent LIKE '%terraform%' ESCAPE '\\' OR useragent = 'x'), FALSE)`,
    );
  });

  it('turns value lists into IN lists', () => {
    expect(where('event.action: (A or "B" or A)')).toBe(`eventname IN ('A', 'B')`);
  });

  it('treats the dataset as a constant and the outcome exactly', () => {
    expect(where('data_stream.dataset: "aws.cloudtrail"')).toBe('TRUE');
    expect(where('event.dataset: other')).toBe('FALSE');
    expect(where('event.action: X and event.outcome: failure')).toBe(
      `eventname = 'X'\n  AND NOT (COALESCE(errorcode, '') IN ('', '-', 'none') AND COALESCE(errormessage, '') IN ('', '-', 'none'))`,
    );
    // ConsoleLogin takes its outcome from responseElements.ConsoleLogin.
    expect(where('event.outcome: success')).toContain(`lower(NULLIF(NULLIF(NULLIF(json_extract_scalar(responseelements, '$["ConsoleLogin"]')`);
  });

  it('matches payload fields type-aware over arrays', () => {
    const sql = where('aws.cloudtrail.flattened.request_parameters.fromPort: 22');
    expect(sql).toContain(`json_query(requestparameters, 'lax $."fromPort"[*][*]' WITH ARRAY WRAPPER)`);
    expect(sql).toContain(`TRY_CAST(v AS DOUBLE) = DOUBLE '22.0'`);
    expect(where('aws.cloudtrail.flattened.request_parameters.a.b: x')).toContain(`'lax $."a.b"[*][*]'`);
  });

  it('refuses what it cannot reproduce exactly', () => {
    for (const kql of ['source.ip: *', 'aws.cloudtrail.request_parameters: *x*', 'source.address: "10.0.0.0/8"', 'foo: bar', 'some text', 'cloud.region > a']) {
      expect(() => translateKql(parseKql(kql))).toThrow(UntranslatableError);
    }
  });
});

describe('athena: DDL', () => {
  it('uses the documented columns and the timestamp projection', () => {
    const ddl = cloudTrailTableDdl({ database: 'default', table: 'ct', bucket: 'b', prefix: 'AWSLogs/1/CloudTrail/eu-west-1/', projectionStart: '2020/01/01' });
    expect(ddl).toContain("LOCATION 's3://b/AWSLogs/1/CloudTrail/eu-west-1/'");
    expect(ddl).toContain("'storage.location.template'='s3://b/AWSLogs/1/CloudTrail/eu-west-1/${timestamp}'");
    expect(ddl).toContain("'projection.timestamp.format'='yyyy/MM/dd'");
    for (const column of ['requestparameters STRING', 'errorcode STRING', 'tlsdetails STRUCT<', 'recipientaccountid STRING']) expect(ddl).toContain(column);
  });
});

describe('athena: CLI', () => {
  it('prints the seed query and a summary', async () => {
    const run = await runCli(['athena']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`AND eventname = 'StartExportTask'`);
    expect(run.stderr).toContain('1 rule(s) translated, 0 not translated');
  });

  it('rejects bad arguments', async () => {
    expect((await runCli(['athena', '--ddl'])).code).toBe(2);
    expect((await runCli(['athena', '--since', 'yesterday'])).code).toBe(2);
  });
});

describeWithConformance('athena: Elastic AWS pack', ['elastic-aws-kuery-rules'], () => {
  const ELASTIC = conformancePath('elastic-aws-kuery-rules');
  const rules = loadRulePack(ELASTIC).rules.filter((rule) => rule.type === 'query');
  const results = rules.map((rule) => translateRule(rule, { database: 'default', table: 'cloudtrail_logs' }));

  it('translates or reports every one of the 85 query rules', () => {
    expect(rules).toHaveLength(85);
    const translated = results.filter((result) => result.ok).length;
    expect({ translated, untranslated: results.length - translated }).toEqual({ translated: 70, untranslated: 15 });
  });

  it('translates or names with a reason every one of the 54 new_terms and threshold rules', () => {
    const stateful = loadRulePack(ELASTIC).rules.filter((rule) => rule.type !== 'query');
    expect(stateful).toHaveLength(54);
    const outcomes = stateful.map((rule) => translateRule(rule, { database: 'default', table: 'cloudtrail_logs' }));
    const count = (type: string, ok: boolean) => outcomes.filter((result) => result.rule.type === type && result.ok === ok).length;
    expect({ newTerms: count('new_terms', true), newTermsRefused: count('new_terms', false), threshold: count('threshold', true), thresholdRefused: count('threshold', false) }).toEqual({
      newTerms: 27,
      newTermsRefused: 22,
      threshold: 2,
      thresholdRefused: 3,
    });
    for (const result of outcomes) if (!result.ok) expect(result.reason.length).toBeGreaterThan(10);
  });

  it('reports a reason for each untranslatable rule, in a comment', () => {
    const byFile = new Map(results.map((result) => [result.rule.sourceFile.split('/').pop(), result]));
    const reasonOf = (file: string): string => {
      const result = byFile.get(file);
      if (result === undefined || result.ok) throw new Error(`${file} was translated`);
      expect(result.sql).toContain('-- NOT TRANSLATED: ');
      return result.reason;
    };
    expect(reasonOf('impact_cloudwatch_log_group_deletion.toml')).toMatch(/^source\.ip/);
    expect(reasonOf('persistence_iam_login_profile_created_or_modified.toml')).toMatch(/^source\.as\.organization\.name/);
    expect(reasonOf('privilege_escalation_sts_get_federation_token_administrator_access.toml')).toMatch(/Map\.toString/);
  });

  it('translates a sample exactly', () => {
    const sqlOf = (file: string): string => {
      const result = results.find((r) => r.rule.sourceFile.endsWith(file));
      if (result === undefined || !result.ok) throw new Error(`${file} not translated`);
      return result.sql.slice(result.sql.indexOf('WHERE '));
    };
    expect(sqlOf('impact_backup_recovery_point_deleted.toml')).toBe(`WHERE eventsource = 'backup.amazonaws.com'
  AND eventname = 'DeleteRecoveryPoint'
  AND (COALESCE(errorcode, '') IN ('', '-', 'none') AND COALESCE(errormessage, '') IN ('', '-', 'none'))
  AND NOT COALESCE(useridentity.type = 'AWSService', FALSE);
`);
    expect(sqlOf('defense_evasion_waf_rule_or_rule_group_deletion.toml')).toContain(
      `eventsource IN ('waf.amazonaws.com', 'waf-regional.amazonaws.com', 'wafv2.amazonaws.com')`,
    );
    expect(sqlOf('privilege_escalation_bedrock_phantom_user_activity_outside_bedrock.toml')).toContain(`LIKE 'BedrockAPIKey-%' ESCAPE '\\'`);
    expect(sqlOf('defense_evasion_guardduty_finding_suppression.toml')).toContain(`'lax $."activate"[*][*]'`);
    expect(readFileSync(join(ELASTIC, 'SOURCE.md'), 'utf8')).toContain('85 `type = "query"`');
  });
});

describe('athena: new_terms and threshold rules', () => {
  const options = { database: 'default', table: 'cloudtrail_logs', since: '2026-11-10', until: '2026-11-12' };

  it('a new_terms rule is the first sighting per term over its history window, read from one window before --since', () => {
    const result = translateRule(newKeyPairRule(), options);
    if (!result.ok) throw new Error(result.reason);
    expect(result.sql).toContain('-- new_terms: first sighting of (cloud.account.id, user.name) in 7 days (now-7d)');
    expect(result.sql).toContain(`WHERE "timestamp" >= '2026/11/03'\n    AND eventtime >= '2026-11-03T00:00:00Z'`);
    expect(result.sql).toContain(`COALESCE(NULLIF(NULLIF(NULLIF(useridentity.accountid, ''), '-'), 'none'), NULLIF(NULLIF(NULLIF(recipientaccountid, ''), '-'), 'none')) AS term_1`);
    expect(result.sql).toContain('lag(event_time) OVER (PARTITION BY term_1, term_2 ORDER BY event_time, eventid) AS previous_sighting');
    expect(result.sql).toContain(`WHERE (previous_sighting IS NULL OR previous_sighting <= event_time - INTERVAL '604800' SECOND)\n  AND eventtime >= '2026-11-10T00:00:00Z'`);
    expect(result.sql).toContain('ARRAY[term_1, term_2] AS new_terms');
  });

  it('a threshold rule counts per group and second, and starts again after each alert (row pattern recognition)', () => {
    const result = translateRule(rootBruteForceRule(), options);
    if (!result.ok) throw new Error(result.reason);
    expect(result.sql).toContain(`eventtime >= '2026-11-09T23:54:00Z'`);
    expect(result.sql).toContain('count(DISTINCT eventid) AS n, array_agg(DISTINCT eventid ORDER BY eventid) AS ids');
    expect(result.sql).toContain('PARTITION BY term_1\n    ORDER BY event_time');
    expect(result.sql).toContain('AFTER MATCH SKIP PAST LAST ROW\n    PATTERN (A*? B)');
    expect(result.sql).toContain(`DEFINE B AS SUM(n) >= 10 AND B.event_time < FIRST(event_time) + INTERVAL '360' SECOND`);
    expect(result.sql).toContain('element_at(alert_second_ids, 10 - (through_alert_second - alert_second_events)) AS alert_event_id');
  });

  it('names why a threshold with cardinality, or a term field with several values, is not translated', () => {
    const cardinality = { ...rootBruteForceRule(), threshold: { ...rootBruteForceRule().threshold!, cardinality: [{ field: 'source.address', value: 3 }] } };
    const refused = translateRule(cardinality, options);
    expect(refused.ok).toBe(false);
    expect(refused.ok ? '' : refused.reason).toMatch(/^threshold cardinality \(source\.address >= 3 distinct\)/);
    const resources = { ...newKeyPairRule(), newTerms: { ...newKeyPairRule().newTerms!, fields: ['aws.cloudtrail.resources.arn'] } };
    const multi = translateRule(resources, options);
    expect(multi.ok ? '' : multi.reason).toMatch(/^aws\.cloudtrail\.resources\.arn: resources\[\] holds one value per resource/);
    expect(multi.sql).toContain('-- NOT TRANSLATED: ');
  });
});

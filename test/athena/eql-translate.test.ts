import { parseEql } from '../../src/engine/eql';
import { SEQUENCE_REFUSAL, translateEql } from '../../src/athena/eql-translate';
import { translateRule } from '../../src/athena/rule-query';
import { formatCondition, UntranslatableError } from '../../src/athena/translate';
import { loadRulePack } from '../../src/engine/rules';
import { runCli } from '../cli/cli-harness';
import { conformancePath, describeWithConformance } from '../support/conformance-data';

const where = (eql: string, eventCategoryField?: string): string =>
  formatCondition(translateEql(parseEql(eql), eventCategoryField ? { eventCategoryField } : {}));
const refusal = (eql: string, eventCategoryField?: string): string => {
  try {
    where(eql, eventCategoryField);
  } catch (error) {
    if (error instanceof UntranslatableError) return error.message;
    throw error;
  }
  throw new Error(`${eql} was translated`);
};
const GUARD = "useragent NOT IN ('', '-', 'none')";

describe('athena: EQL terms', () => {
  it('translates case-sensitive terms as KQL ones: ==, !=, in, like and the wildcard functions (an escaped * stays literal)', () => {
    expect(where('any where user_agent.original == "O\'Brien"')).toBe("useragent = 'O''Brien'");
    expect(where('any where event.action in ("A", "B")')).toBe("eventname IN ('A', 'B')");
    expect(where('any where stringContains(user_agent.original, "a*b")')).toBe("useragent LIKE '%a%b%' ESCAPE '\\'");
    expect(where(String.raw`any where stringContains(user_agent.original, "50%\\*")`)).toBe(String.raw`useragent LIKE '%50\%*%' ESCAPE '\'`);
    expect(where('any where startsWith(user_agent.original, "aws-cli/")')).toBe("useragent LIKE 'aws-cli/%' ESCAPE '\\'");
    expect(where('any where user_agent.original like "Terraform*"')).toBe("useragent LIKE 'Terraform%' ESCAPE '\\'");
  });

  it('makes a negation and != true for a missing field (must_not), and == null IS NULL', () => {
    expect(where('any where not user_agent.original == "x"')).toBe("NOT COALESCE(useragent = 'x', FALSE)");
    expect(where('any where user_agent.original != "x"')).toBe("NOT COALESCE(useragent = 'x', FALSE)");
    expect(where('any where user_agent.original == null')).toBe(`NOT COALESCE((useragent IS NOT NULL AND ${GUARD}), FALSE)`);
  });

  it('compares lower-cased text for :, in~, like~ and the ~ functions, never letting a dropped value through', () => {
    expect(where('any where event.action : "AddPermission*"')).toBe("lower(eventname) LIKE 'addpermission%' ESCAPE '\\'\n  AND eventname NOT IN ('', '-', 'none')");
    expect(where('any where user_agent.original in~ ("Boto3", "curl")')).toBe(`(lower(useragent) = 'boto3' OR lower(useragent) = 'curl')\n  AND ${GUARD}`);
    expect(where('any where user_agent.original : "NONE"')).toBe(`lower(useragent) = 'none'\n  AND ${GUARD}`);
    expect(where('any where endsWith~(user_agent.original, "Bot")')).toBe(`lower(useragent) LIKE '%bot' ESCAPE '\\'\n  AND ${GUARD}`);
    expect(where('any where data_stream.dataset : "AWS.CloudTrail"')).toBe('TRUE');
    expect(where('any where event.outcome : "SUCCESS"')).toContain("COALESCE(errorcode, '') IN ('', '-', 'none')");
  });

  it('runs regex and regex~ as an anchored regexp_like, Lucene case folding spelled out', () => {
    expect(where('any where user_agent.original regex~ "kali.*"')).toBe(`regexp_like(useragent, '(?s)\\A(?:[kK][aA][lL][iI](?:.)*)\\z')\n  AND ${GUARD}`);
    expect(where('any where user_agent.original regex ("a|b", "c")')).toBe(`(regexp_like(useragent, '(?s)\\A(?:a|b)\\z') OR regexp_like(useragent, '(?s)\\A(?:c)\\z'))\n  AND ${GUARD}`);
  });

  it('reads the event category from eventName, as the normalizer derives event.category and event.type', () => {
    expect(where('network where true')).toBe(
      "eventname IN ('DescribeSecurityGroups', 'DescribeNetworkInterfaces', 'DescribeVpcs', 'DescribeNetworkAcls', 'DescribeLoadBalancers', 'AuthorizeSecurityGroupIngress')",
    );
    expect(where('registry where true')).toBe('FALSE');
    // Every event name outside the table (and no name at all) has the type info.
    const info = where('info where true', 'event.type');
    expect(info).toMatch(/^NOT COALESCE\(eventname IN \('AddUserToGroup', .*'TerminateSession'\), FALSE\)$/);
    expect(info).not.toContain("'ConsoleLogin'");
  });

  it('refuses, quoting the term, what has no exact SQL', () => {
    expect(refusal('any where user_agent.original like "a?c"')).toMatch(/^`user_agent.original like "a\?c"`: not expressible exactly/);
    expect(refusal('any where length(user_agent.original) > 3')).toMatch(/^`length\(user_agent.original\) > 3`: Elasticsearch runs it as a script/);
    expect(refusal('any where cidrMatch(source.address, "10.0.0.0/8")')).toMatch(/IP-range matching is not reproduced/);
    expect(refusal('any where user_agent.original : "é"')).toMatch(/non-ASCII text/);
    expect(refusal('any where aws.cloudtrail.flattened.request_parameters.x == "1"')).toMatch(/EQL types payload values by their JSON type/);
    expect(refusal('any where stringContains(aws.cloudtrail.request_parameters, "x")')).toMatch(/Java Map.toString\(\)/);
    expect(refusal('process where true', 'event.kind')).toMatch(/event category is read from event.kind/);
    expect(refusal('sequence by user.name [any where true] [any where true]')).toBe(SEQUENCE_REFUSAL);
  });
});

describeWithConformance('athena with the AWS EQL rules', ['elastic-aws-eql-rules'], () => {
  const folder = conformancePath('elastic-aws-eql-rules');

  it('translates the rules it can reproduce exactly and names each other one with its reason', () => {
    const results = loadRulePack(folder).rules.map((rule) => translateRule(rule, { database: 'default', table: 'cloudtrail_logs' }));
    const translated = results.filter((result) => result.ok).map((result) => result.rule.name);
    expect(translated).toEqual(['AWS Suspicious User Agent Fingerprint', 'AWS EC2 Instance Console Login via Assumed Role']);
    const userAgent = results.find((result) => result.rule.name === 'AWS Suspicious User Agent Fingerprint');
    expect(userAgent?.sql).toContain("-- eql: any where data_stream.dataset == \"aws.cloudtrail\"");
    expect(userAgent?.sql).toContain("(useragent LIKE '%TruffleHog%' ESCAPE '\\' OR useragent LIKE '%trufflehog%' ESCAPE '\\')");
    const rds = results.find((result) => result.rule.name === 'AWS RDS DB Snapshot Shared with Another Account');
    expect(rds).toMatchObject({ ok: false, reason: expect.stringMatching(/^aws\.cloudtrail\.request_parameters: the keyword string is Java Map\.toString\(\)/) });
  });

  it('the athena command prints them and names the untranslated ones, the sequence with its reason', async () => {
    const run = await runCli(['athena', '--rules', folder]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("'AWS EC2 Instance Console Login via Assumed Role' AS rule_name");
    expect(run.stderr).toContain(`not translated "AWS Bedrock Foundation Model Enumeration Followed by Invocation via Long-Term Key" (${folder}/discovery_bedrock_model_recon_and_invocation_via_long_term_key.toml): ${SEQUENCE_REFUSAL}`);
    expect(run.stderr).toMatch(/2 rule\(s\) translated, 25 not translated\n$/);
  });
});

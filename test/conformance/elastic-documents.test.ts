import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main';
import { buildTestDatabase, MAXMIND_TEST_ASN_ENTRIES, MAXMIND_TEST_CITY_ENTRIES } from '../../src/conformance/maxmind-test-databases';
import { expectedDocuments, HARNESS_TIME, isEnrichmentField, logLines } from '../../src/conformance/pipeline-comparison';
import { normalizeCloudTrail } from '../../src/engine/ecs';
import { compileEventPattern } from '../../src/engine/eventbridge';
import { fieldsOf } from '../../src/engine/kql';
import { compileRules, loadRulePack, type CompiledRule } from '../../src/engine/rules';
import { MemoryStateStore } from '../../src/engine/state';
import { evaluateStatefulRule, isStatefulRule } from '../../src/engine/stateful';
import { conformanceDirectory, describeWithConformance } from '../support/conformance-data';
import { matchesEventPattern } from '../support/eventbridge-matcher';

/**
 * Elastic's own documents against our pipeline, rule by rule: the 139 rules of Elastic's AWS pack must raise, through
 * `scan --rules`, exactly the alerts the rules raise over the documents Elastic's ingest pipeline produced (the 85
 * query rules: every match; the 49 new_terms and 5 threshold rules: their state run over those documents in the same
 * order); and each rule's EventBridge pattern must let through every conformance record its query matches.
 */
const CONFORMANCE = conformanceDirectory();
const RULES_DIR = join(CONFORMANCE, 'elastic-aws-kuery-rules');
const PIPELINE_DIR = join(CONFORMANCE, 'elastic-cloudtrail-pipeline');
const REAL_RDS_DIR = join(CONFORMANCE, 'real-rds-events');

/** See docs/ecs-conformance.md, "Rules that read enrichment fields". */
const ENVIRONMENT_DEPENDENT_RULES: string[] = [
  'AWS AssumeRoleWithWebIdentity from Kubernetes SA and External ASN',
  'AWS Discovery API Calls from VPN ASN for the First Time by Identity',
  'AWS EC2 CreateKeyPair by New Principal from Non-Cloud AS Organization',
  'AWS EC2 Role GetCallerIdentity from New Source AS Organization',
  'AWS IAM Customer Managed Policy Version Created or Default Version Set',
  'AWS IAM Inline Policy Added to a Group',
  'AWS IAM Login Profile Created or Modified for an IAM User',
  'AWS IAM Permissions Boundary Modified or Removed',
  'AWS Lambda Function Invoked from an Unusual Source ASN',
  'AWS Secrets Manager Rapid Secrets Retrieval',
];

describeWithConformance("Elastic's AWS rules over Elastic's documents", ['elastic-aws-kuery-rules', 'elastic-cloudtrail-pipeline', 'real-rds-events'], () => {
  const rules = compileRules(loadRulePack(RULES_DIR).rules);
  const pairs = readdirSync(PIPELINE_DIR).filter((name) => /^test-.*\.log$/.test(name));

  /** Rules whose verdict depends on the GeoIP/ASN databases or the parsed user agent (docs/ecs-conformance.md). */
  const fieldsRead = (rule: CompiledRule): string[] => [...fieldsOf(rule.ast), ...(rule.rule.newTerms?.fields ?? []), ...(rule.rule.threshold?.fields ?? [])];
  const environmentDependent = new Set(rules.filter((rule) => fieldsRead(rule).some((field) => isEnrichmentField(field))).map((rule) => rule.rule.ruleId));

  /**
   * The pipeline's output as Elasticsearch stores it: documents land in the `logs-aws.cloudtrail-*` data stream,
   * whose mapping adds the constant fields `data_stream.*` and `event.dataset` the rules filter on.
   */
  function asIndexed(document: unknown): Record<string, any> {
    const indexed = structuredClone(document) as Record<string, any>;
    indexed.data_stream = { type: 'logs', dataset: 'aws.cloudtrail', namespace: 'default', ...indexed.data_stream };
    indexed.event = { dataset: 'aws.cloudtrail', ...indexed.event };
    return indexed;
  }

  /** Query rules: every match. Stateful rules: their state over the documents in the order scan reads them. */
  async function alertKeysOverExpectedDocuments(): Promise<Set<string>> {
    const keys = new Set<string>();
    const store = new MemoryStateStore();
    for (const name of [...pairs].sort()) {
      for (const stored of expectedDocuments(join(PIPELINE_DIR, `${name}-expected.json`))) {
        const document = asIndexed(stored);
        for (const rule of rules) {
          if (!rule.matches(document)) continue;
          if (!isStatefulRule(rule.rule)) {
            keys.add(`${rule.rule.ruleId} ${document.event?.id}`);
            continue;
          }
          const event = { eventId: String(document.event?.id), time: Date.parse(document['@timestamp']) };
          const { findings } = await evaluateStatefulRule(rule.rule, document, event, store);
          for (const finding of findings) {
            const values = finding.kind === 'new_terms' ? finding.values : finding.terms.map((term) => term.value);
            keys.add(`${rule.rule.ruleId} ${document.event?.id} ${JSON.stringify(values)}`);
          }
        }
      }
    }
    return keys;
  }

  async function alertKeysFromScan(): Promise<Set<string>> {
    const directory = mkdtempSync(join(tmpdir(), 'elastic-fixtures-'));
    try {
      // The fixtures are one record per line: JSON Lines under another name.
      for (const name of pairs) copyFileSync(join(PIPELINE_DIR, name), join(directory, `${name}.jsonl`));
      // The databases Elastic's harness used (MaxMind's test entries), so geo/AS conditions see the same values.
      const databases = mkdtempSync(join(tmpdir(), 'maxmind-test-'));
      const geo = join(databases, 'GeoLite2-City-Test.mmdb');
      const asn = join(databases, 'GeoLite2-ASN-Test.mmdb');
      writeFileSync(geo, buildTestDatabase('GeoLite2-City', MAXMIND_TEST_CITY_ENTRIES));
      writeFileSync(asn, buildTestDatabase('GeoLite2-ASN', MAXMIND_TEST_ASN_ENTRIES));
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const chunks: Buffer[] = [];
      stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      stderr.resume();
      await main(['scan', '--rules', RULES_DIR, '--geoip-database', geo, '--asn-database', asn, directory], { stdout, stderr, cwd: process.cwd() });
      rmSync(databases, { recursive: true, force: true });
      const alerts = Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
      return new Set(
        alerts.map((alert) => {
          const { new_terms: newTerms, threshold_result: result, rule } = alert.kibana.alert;
          const values = newTerms ?? result?.terms.map((term: { value: string }) => term.value);
          return `${rule.rule_id} ${alert.event.id}${values ? ` ${JSON.stringify(values)}` : ''}`;
        }),
      );
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }

  it('loads all 139 rules: 85 query, 49 new_terms, 5 threshold', () => {
    expect(rules).toHaveLength(139);
    expect(rules.filter((rule) => rule.rule.type === 'query')).toHaveLength(85);
    expect(rules.filter((rule) => rule.rule.type === 'new_terms')).toHaveLength(49);
    expect(rules.filter((rule) => rule.rule.type === 'threshold')).toHaveLength(5);
    expect(pairs).toHaveLength(9);
  });

  it('scan --rules raises exactly the alerts the rules raise over the expected documents', async () => {
    const expected = await alertKeysOverExpectedDocuments();
    expect(expected.size).toBeGreaterThan(0); // the comparison must compare something
    // ... stateful rules among them: a new term of Elastic's fixtures is a first sighting in this run.
    expect([...expected].some((key) => key.split(' ').length > 2)).toBe(true);
    expect(await alertKeysFromScan()).toEqual(expected);
  });

  it('names the rules whose verdict depends on GeoIP, ASN or parsed user-agent fields', () => {
    const names = rules.filter((rule) => environmentDependent.has(rule.rule.ruleId)).map((rule) => rule.rule.name);
    // Listed so that a new rule joining this set is a visible change (documented in docs/ecs-conformance.md).
    expect(names.sort()).toEqual(ENVIRONMENT_DEPENDENT_RULES);
    for (const rule of rules.filter((candidate) => environmentDependent.has(candidate.rule.ruleId))) {
      expect(fieldsRead(rule).some((field) => field.startsWith('source.as.') || field.startsWith('source.geo.') || field.startsWith('user_agent.'))).toBe(true);
    }
  });

  it("lets every conformance record a rule's query matches through that rule's EventBridge pattern", () => {
    const records: Record<string, any>[] = [];
    for (const name of readdirSync(PIPELINE_DIR, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.log'))) {
      for (const line of logLines(join(PIPELINE_DIR, name))) {
        if (line.trim() === '') continue;
        const record = JSON.parse(line);
        if (record.eventSource !== undefined) records.push(record);
      }
    }
    for (const name of readdirSync(REAL_RDS_DIR).filter((file) => file.endsWith('.json'))) {
      const json = JSON.parse(readFileSync(join(REAL_RDS_DIR, name), 'utf8'));
      records.push(json['detail-type'] === 'AWS API Call via CloudTrail' ? json.detail : json);
    }
    expect(records.length).toBeGreaterThan(40);

    let queryMatches = 0;
    for (const rule of rules) {
      const { pattern } = compileEventPattern(rule.ast);
      for (const record of records) {
        const document = normalizeCloudTrail(record, { receivedAt: HARNESS_TIME });
        if (!rule.matches(document)) continue;
        queryMatches += 1;
        const envelope = {
          version: '0',
          id: 'conformance',
          'detail-type': record.eventType === 'AwsConsoleSignIn' ? 'AWS Console Sign In via CloudTrail' : 'AWS API Call via CloudTrail',
          source: `aws.${String(record.eventSource).replace(/\.amazonaws\.com$/, '')}`,
          account: record.recipientAccountId,
          time: record.eventTime,
          region: record.awsRegion,
          resources: [],
          detail: record,
        };
        expect({ rule: rule.rule.name, event: record.eventID, passes: matchesEventPattern(pattern, envelope) }).toEqual({
          rule: rule.rule.name,
          event: record.eventID,
          passes: true,
        });
      }
    }
    expect(queryMatches).toBeGreaterThan(0);
  });
});

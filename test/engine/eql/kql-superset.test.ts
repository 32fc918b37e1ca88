/**
 * The EQL → KQL seam must never be narrower than the EQL query (the consumers build pre-filters from it): checked
 * on random conditions and documents, then end to end through the EventBridge pattern compiler for Elastic's AWS
 * EQL rules, the way test/engine/eventbridge/soundness.ts checks KQL rules.
 */
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { normalizeCloudTrail } from '../../../src/engine/ecs';
import {
  compileEventFilter,
  createSequenceMatcher,
  eqlToKqlSuperset,
  parseEql,
  type EqlCompileOptions,
  type EqlQuery,
} from '../../../src/engine/eql';
import { compileEqlEventPattern, compileEventPattern } from '../../../src/engine/eventbridge';
import { compileKql, type KqlNode } from '../../../src/engine/kql';
import { requiredValues } from '../../../src/engine/rule-index/required-values';
import { conformancePath, describeWithConformance } from '../../support/conformance-data';
import { matchesEventPattern } from '../../support/eventbridge-matcher';
import { cloudTrailDeliveryArbitrary, envelopeFor } from '../eventbridge/cloudtrail-event-arbitrary';
import { documentArbitrary, eventQueryArbitrary } from './support/arbitraries';
import { BEDROCK_SEQUENCE_RULE, bedrockCall, SINGLE_EVENT_RULE_RECORDS } from './support/aws-rule-records';

const OPTIONS: EqlCompileOptions = { knownFields: (name) => name !== 'missing' };

function eventMatcher(query: EqlQuery, options: EqlCompileOptions): (document: unknown) => boolean {
  if (query.kind === 'event') return compileEventFilter(query.filter, options);
  const matcher = createSequenceMatcher(query, options);
  return (document) => matcher.route(document).length > 0;
}

describe('eqlToKqlSuperset', () => {
  test('matches every document the EQL condition matches (random conditions and documents)', () => {
    let matched = 0;
    fc.assert(
      fc.property(eventQueryArbitrary, fc.array(documentArbitrary, { minLength: 1, maxLength: 8 }), (text, documents) => {
        const query = parseEql(text);
        const eql = eventMatcher(query, OPTIONS);
        const kql = compileKql(eqlToKqlSuperset(query, OPTIONS));
        for (const document of documents) {
          if (!eql(document)) continue;
          matched += 1;
          if (!kql(document)) return false;
        }
        return true;
      }),
      { numRuns: 1500, seed: 20261120 },
    );
    // The property only says something about documents the condition matched.
    expect(matched).toBeGreaterThan(1000);
  });

  test('is exact for the terms KQL can express', () => {
    const exact = [
      'any where a == "foo" and not b != 1234',
      'process where n >= 1 or a < "bar"',
      'any where a in ("Foo", 1234) and not tags in ("bar", "")',
      'file where stringContains(a, "oo") or startsWith(b, "ba") or endsWith(c.d, "exe")',
      'any where a like ("fo*", "*bar") and b == null and c.d != null',
      'any where not (a == "foo" or (b : "bar" and n > 0)) and true',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...exact), documentArbitrary, (text, document) => {
        const query = parseEql(text);
        const superset = eqlToKqlSuperset(query, OPTIONS);
        // `b : "bar"` is case-insensitive: exact everywhere else, so only that query may let more through.
        return text.includes(' : ') || compileKql(superset)(document) === eventMatcher(query, OPTIONS)(document);
      }),
      { numRuns: 800, seed: 7 },
    );
  });

  test('keeps the demands the rule index and the EventBridge compiler narrow on', () => {
    const kql = eqlToKqlSuperset(
      parseEql('info where data_stream.dataset == "aws.cloudtrail" and event.provider == "rds.amazonaws.com" and event.action in ("ModifyDBSnapshotAttribute", "ModifyDBClusterSnapshotAttribute") and stringContains(aws.cloudtrail.request_parameters, "valuesToAdd=[*]")'),
      { eventCategoryField: 'event.type' },
    );
    expect(requiredValues(kql, 'event.action')).toEqual({ exact: ['ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute'], prefixes: [] });
    expect(requiredValues(kql, 'event.provider')).toEqual({ exact: ['rds.amazonaws.com'], prefixes: [] });
    const { pattern, precision } = compileEventPattern(kql);
    expect(pattern).toMatchObject({ source: ['aws.rds'], detail: { eventSource: ['rds.amazonaws.com'], eventName: ['ModifyDBSnapshotAttribute', 'ModifyDBClusterSnapshotAttribute'] } });
    expect(precision).toBe('partial');
  });

  test('widens what it cannot express: case-insensitive terms, ? wildcards and scripts', () => {
    const superset = (text: string) => eqlToKqlSuperset(parseEql(text));
    expect(superset('any where a : "Foo"')).toEqual({ type: 'matchAll' });
    expect(superset('any where a like "f?o"')).toEqual({ type: 'is', field: { kind: 'literal', value: 'a', quoted: false }, value: { kind: 'wildcard', segments: ['f', 'o'] } });
    expect(superset('any where length(a) > 3')).toEqual({ type: 'matchAll' });
    // Under `not`, what cannot be expressed becomes "nothing", so `not` of it is again "anything".
    expect(superset('any where not a : "Foo"')).toEqual({ type: 'matchAll' });
    expect(superset('any where a == "x" and not a : "Foo"')).toEqual({ type: 'is', field: { kind: 'literal', value: 'a', quoted: false }, value: { kind: 'literal', value: 'x', quoted: true } });
  });

  test('a sequence lets through every stage, the until stage included', () => {
    const kql = eqlToKqlSuperset(parseEql('sequence by k with maxspan=1m [any where a == "1"] ![any where a == "2"] [any where a == "3"] until [any where a == "4"]'));
    const matches = compileKql(kql);
    for (const value of ['1', '2', '3', '4']) expect(matches({ a: value })).toBe(true);
    expect(matches({ a: '5' })).toBe(false);
  });
});

describeWithConformance('EventBridge patterns from the AWS EQL rules', ['elastic-aws-eql-rules'], () => {
  const folder = conformancePath('elastic-aws-eql-rules');
  const rules = fs
    .readdirSync(folder)
    .filter((file) => file.endsWith('.toml'))
    .sort()
    .map((file) => {
      const { rule } = parseToml(fs.readFileSync(path.join(folder, file), 'utf8')) as { rule: Record<string, unknown> };
      const eventCategoryField = typeof rule.event_category_override === 'string' ? rule.event_category_override : 'event.category';
      return [file, String(rule.query), eventCategoryField] as const;
    });

  /** The arbitrary's value one time in five, else null (no change). */
  const sometimes = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, { arbitrary, weight: 1 });

  /** The rule's own alerting records, varied in every field the pattern can filter on, plus random deliveries. */
  function deliveries(file: string, kql: KqlNode): fc.Arbitrary<{ record: Record<string, unknown>; envelope: Record<string, unknown> }> {
    const seeds = file === BEDROCK_SEQUENCE_RULE
      ? [bedrockCall('ListFoundationModels', '2026-11-20T03:00:00Z'), bedrockCall('InvokeModel', '2026-11-20T03:01:00Z')]
      : [SINGLE_EVENT_RULE_RECORDS[file].alerts, ...SINGLE_EVENT_RULE_RECORDS[file].ignores.map((ignore) => ignore.record)];
    const varied = fc
      .record({
        seed: fc.constantFrom(...seeds),
        eventName: sometimes(fc.constantFrom('addpermission20150331v2', 'INVOKEMODEL', 'Converse', 'CreateFunctionUrlConfig', 'GetObject')),
        eventSource: sometimes(fc.constantFrom('s3.amazonaws.com', 'lambda.amazonaws.com', 'ec2.amazonaws.com')),
        errorCode: sometimes(fc.constantFrom('AccessDenied', 'ThrottlingException')),
        userAgent: sometimes(fc.constantFrom('Terraform/1.6.6', 'ua/2.0 md/distrib#kali.2024', 'TruffleHog', 'backup.amazonaws.com')),
        sourceIPAddress: sometimes(fc.constantFrom('backup.amazonaws.com', 'AWS Internal', '198.51.100.7')),
        accessKeyId: sometimes(fc.constantFrom('AKIAEXAMPLELONGTERM1', 'ASIAEXAMPLESESSION01', 'akiaexample')),
        identityType: sometimes(fc.constantFrom('Root', 'AWSService', 'IAMUser', 'AssumedRole')),
      })
      .map(({ seed, eventName, eventSource, errorCode, userAgent, sourceIPAddress, accessKeyId, identityType }) => {
        const record: Record<string, unknown> = { ...seed, userIdentity: { ...(seed.userIdentity as object) } };
        if (eventName !== null) record.eventName = eventName;
        if (eventSource !== null) record.eventSource = eventSource;
        if (errorCode !== null) Object.assign(record, { errorCode, errorMessage: 'denied' });
        if (userAgent !== null) record.userAgent = userAgent;
        if (sourceIPAddress !== null) record.sourceIPAddress = sourceIPAddress;
        if (accessKeyId !== null) (record.userIdentity as Record<string, unknown>).accessKeyId = accessKeyId;
        if (identityType !== null) (record.userIdentity as Record<string, unknown>).type = identityType;
        return { record, envelope: envelopeFor(record) };
      });
    return fc.oneof({ arbitrary: varied, weight: 3 }, { arbitrary: cloudTrailDeliveryArbitrary(kql), weight: 1 });
  }

  test.each(rules)('%s: both patterns let through every CloudTrail event the rule matches', (file, text, eventCategoryField) => {
    const query = parseEql(text);
    const options = { eventCategoryField };
    const matches = eventMatcher(query, options);
    const kql: KqlNode = eqlToKqlSuperset(query, options);
    // Through the KQL seam, and with the case-insensitive matchers of compileEqlEventPattern.
    const patterns = [compileEventPattern(kql).pattern, compileEqlEventPattern(query, options).pattern];
    let queryMatches = 0;
    fc.assert(
      fc.property(deliveries(file, kql), ({ record, envelope }) => {
        const matched = matches(normalizeCloudTrail(record, { receivedAt: new Date('2026-11-20T03:16:00Z') }));
        if (matched) queryMatches += 1;
        return !matched || patterns.every((pattern) => matchesEventPattern(pattern, envelope));
      }),
      { numRuns: 200, seed: 20261120 },
    );
    // Soundness only speaks about the events the rule matched: make sure there were plenty.
    expect(queryMatches).toBeGreaterThan(10);
  });
});

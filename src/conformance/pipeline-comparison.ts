/**
 * Field-by-field comparison of our ECS documents with the output of Elastic's `aws.cloudtrail` ingest pipeline, and
 * the harness settings the expected files assume (see SOURCE.md of elastic-cloudtrail-pipeline). Used by the jest
 * test (test/engine/ecs/pipeline-conformance.test.ts) and by the conformance command.
 */
import * as fs from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { normalizeCloudTrail } from '../engine/ecs';
import type { Enrichment } from '../engine/enrichment';
import { loadEnrichment } from '../enrichment/load-enrichment';
import { shippedUserAgentRegexes } from '../enrichment/shipped-databases';
import { maxMindTestIpEnrichment } from './maxmind-test-databases';

/** The time Elastic's test harness injects as ingest time. */
export const HARNESS_TIME = new Date('2021-11-11T01:02:03.123Z');

/** ECS version the pipeline writes into every document. */
export const EXPECTED_ECS_VERSION = '8.11.0';

/** Leaf fields of a nested document as `dotted.path` → value. Scalar arrays are one leaf; object arrays are indexed. */
export function documentLeaves(document: unknown, prefix = '', leaves = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(document)) {
    if (document.some((element) => typeof element === 'object' && element !== null)) {
      document.forEach((element, index) => documentLeaves(element, `${prefix}[${index}]`, leaves));
    } else {
      leaves.set(prefix, document);
    }
  } else if (typeof document === 'object' && document !== null) {
    for (const [key, value] of Object.entries(document)) {
      documentLeaves(value, prefix === '' ? key : `${prefix}.${key}`, leaves);
    }
  } else {
    leaves.set(prefix, document);
  }
  return leaves;
}

/** Fields left out of the comparison (docs/ecs-conformance.md): `tags` is harness input, not pipeline output. */
export function isExcluded(field: string): boolean {
  return field === 'tags';
}

/** Fields that come from enrichment (GeoIP, ASN, parsed user agent) rather than from the record itself. */
export function isEnrichmentField(field: string): boolean {
  return field.startsWith('source.geo.') || field.startsWith('source.as.') || (field.startsWith('user_agent.') && field !== 'user_agent.original');
}

let harnessEnrichment: Enrichment | undefined;

/**
 * What Elastic's harness enriches with: MaxMind's test databases (their entries, built into MMDB files) and the
 * uap-core regexes Elasticsearch's user_agent processor uses.
 */
export function harnessEnrichmentOf(): Enrichment {
  harnessEnrichment ??= { ip: maxMindTestIpEnrichment(), userAgent: loadEnrichment({ userAgentRegexes: shippedUserAgentRegexes() }).userAgent };
  return harnessEnrichment;
}

/** Fields we add that Elastic's pipeline leaves to Fleet or the data stream; compared only if the expected document has them. */
const ADDED_BY_US = new Set(['event.ingested', 'event.dataset', 'data_stream.dataset', 'data_stream.type', 'data_stream.namespace']);

/** Timestamps the harness injects with nanoseconds; JS dates carry milliseconds. Compared as instants at ms precision. */
const HARNESS_TIMESTAMP_FIELDS = new Set(['@timestamp', 'event.created']);

function sameInstant(actual: unknown, expected: unknown): boolean {
  return typeof actual === 'string' && typeof expected === 'string' && Date.parse(actual) === Date.parse(expected);
}

export interface FieldDifference {
  field: string;
  actual: unknown;
  expected: unknown;
}

export interface DocumentComparison {
  /** Fields compared (the union of both documents' leaves, less the excluded ones). */
  compared: number;
  /** Of those, fields from enrichment (GeoIP, ASN, parsed user agent). */
  enrichmentCompared: number;
  excluded: number;
  differences: FieldDifference[];
}

export function compareDocuments(actual: unknown, expected: unknown): DocumentComparison {
  const actualLeaves = documentLeaves(actual);
  const expectedLeaves = documentLeaves(expected);
  const fields = new Set([...actualLeaves.keys(), ...expectedLeaves.keys()]);
  const differences: FieldDifference[] = [];
  let compared = 0;
  let enrichmentCompared = 0;
  let excluded = 0;
  for (const field of fields) {
    if (isExcluded(field) || (ADDED_BY_US.has(field) && !expectedLeaves.has(field))) {
      excluded++;
      continue;
    }
    compared++;
    if (isEnrichmentField(field)) enrichmentCompared++;
    const actualValue = actualLeaves.get(field);
    const expectedValue = expectedLeaves.get(field);
    const equal = HARNESS_TIMESTAMP_FIELDS.has(field)
      ? sameInstant(actualValue, expectedValue)
      : isDeepStrictEqual(actualValue, expectedValue);
    if (!equal) differences.push({ field, actual: actualValue, expected: expectedValue });
  }
  return { compared, enrichmentCompared, excluded, differences };
}

/** Agreement of one enrichment field with the expected documents: documents where it agrees, of those where either side has it. */
export interface FieldAgreement {
  field: string;
  agree: number;
  total: number;
}

/**
 * How far a production database agrees with MaxMind's test databases on the fixtures' geo/AS fields. The test
 * entries are not real-world data (81.2.69.144 is not in London), so disagreement is expected and informative only.
 */
export function geoAgreement(pairs: readonly { actual: unknown; expected: unknown }[]): FieldAgreement[] {
  const tally = new Map<string, FieldAgreement>();
  for (const { actual, expected } of pairs) {
    const actualLeaves = documentLeaves(actual);
    const expectedLeaves = documentLeaves(expected);
    for (const field of new Set([...actualLeaves.keys(), ...expectedLeaves.keys()])) {
      if (!field.startsWith('source.geo.') && !field.startsWith('source.as.')) continue;
      const entry = tally.get(field) ?? { field, agree: 0, total: 0 };
      entry.total++;
      if (isDeepStrictEqual(actualLeaves.get(field), expectedLeaves.get(field))) entry.agree++;
      tally.set(field, entry);
    }
  }
  return [...tally.values()].sort((a, b) => a.field.localeCompare(b.field));
}

/** The records of a `.log` fixture: one per line; a final newline ends the last line, it does not start another record. */
export function logLines(file: string): string[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * The harness sends each line as `message`; an empty line parses to nothing, like an empty object with no original
 * text. Enriched as the harness enriches (test databases) unless other enrichment is given.
 */
export function normalizeLine(line: string, enrichment: Enrichment = harnessEnrichmentOf()): unknown {
  return line === ''
    ? normalizeCloudTrail({}, { receivedAt: HARNESS_TIME, original: '', enrichment })
    : normalizeCloudTrail(JSON.parse(line), { receivedAt: HARNESS_TIME, original: line, enrichment });
}

/** The documents of a `*-expected.json` file (`{"expected": [...]}`). */
export function expectedDocuments(file: string): unknown[] {
  const content = JSON.parse(fs.readFileSync(file, 'utf8')) as { expected?: unknown };
  if (!Array.isArray(content.expected)) throw new Error(`${file} has no "expected" array`);
  return content.expected;
}

/** Problems with a document normalized from an input that has no expected output; empty when it looks like pipeline output. */
export function inputOnlyProblems(document: unknown): string[] {
  const { ecs, cloud } = document as { ecs?: { version?: unknown }; cloud?: { provider?: unknown } };
  const problems: string[] = [];
  if (ecs?.version !== EXPECTED_ECS_VERSION) problems.push(`ecs.version is ${JSON.stringify(ecs?.version)}, expected "${EXPECTED_ECS_VERSION}"`);
  if (cloud?.provider !== 'aws') problems.push(`cloud.provider is ${JSON.stringify(cloud?.provider)}, expected "aws"`);
  return problems;
}

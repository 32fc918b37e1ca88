import { isDeepStrictEqual } from 'node:util';
import { documentLeaves } from './document-leaves';

/**
 * Fields left out of the comparison, each for a reason documented in docs/ecs-conformance.md.
 * `source.geo`/`source.as`: GeoIP/ASN lookups; `user_agent.*` but `original`: uap-core parsing;
 * `tags`: harness input, not pipeline output.
 */
export function isExcluded(field: string): boolean {
  return (
    field.startsWith('source.geo.') ||
    field.startsWith('source.as.') ||
    (field.startsWith('user_agent.') && field !== 'user_agent.original') ||
    field === 'tags'
  );
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

export function compareDocuments(
  actual: unknown,
  expected: unknown,
): { compared: number; excluded: number; differences: FieldDifference[] } {
  const actualLeaves = documentLeaves(actual);
  const expectedLeaves = documentLeaves(expected);
  const fields = new Set([...actualLeaves.keys(), ...expectedLeaves.keys()]);
  const differences: FieldDifference[] = [];
  let compared = 0;
  let excluded = 0;
  for (const field of fields) {
    if (isExcluded(field) || (ADDED_BY_US.has(field) && !expectedLeaves.has(field))) {
      excluded++;
      continue;
    }
    compared++;
    const actualValue = actualLeaves.get(field);
    const expectedValue = expectedLeaves.get(field);
    const equal = HARNESS_TIMESTAMP_FIELDS.has(field)
      ? sameInstant(actualValue, expectedValue)
      : isDeepStrictEqual(actualValue, expectedValue);
    if (!equal) differences.push({ field, actual: actualValue, expected: expectedValue });
  }
  return { compared, excluded, differences };
}


/**
 * Elasticsearch's own EQL spec tests (`eql/` of the conformance folder; its SOURCE.md explains the files), run
 * against our EQL engine the way Elasticsearch's harness runs them: the data indexed as its DataLoader does
 * (FILETIME → `@timestamp`, mapping aliases such as `event.category` → `event_type`, `null_value`, field types,
 * dynamic mapping for the rest), each query sent with `event_category_field: event.category`,
 * `timestamp_field: @timestamp`, the file's tiebreaker and `size` 50, and the returned ids (and join keys) compared
 * in order. Queries we do not run are listed by name with the reason; none are dropped silently.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { EqlSyntaxError, parseEql, runEql, type EqlFieldType, type EqlQuery, type EqlRunOptions } from '../engine/eql';
import { describeError, type Failure, type SuiteResult } from './report';

export const EQL_DIR = 'eql';

/** The size the harness sends when a query does not set one. */
const HARNESS_SIZE = 50;

export interface EqlSpecFile {
  /** File name under `eql/`. */
  readonly file: string;
  readonly data: string;
  readonly mapping: string;
  /** The id field, also the tiebreaker. */
  readonly idField: string;
  readonly loader: 'endgame' | 'plain';
}

/** The query files and the data each runs on, as Elasticsearch's spec test classes pair them. */
export const EQL_SPEC_FILES: readonly EqlSpecFile[] = [
  { file: 'test_queries.toml', data: 'test_data.json', mapping: 'data/endgame-140.mapping', idField: 'serial_event_id', loader: 'endgame' },
  { file: 'additional_test_queries.toml', data: 'test_data.json', mapping: 'data/endgame-140.mapping', idField: 'serial_event_id', loader: 'endgame' },
  { file: 'test_extra.toml', data: 'data/extra.data', mapping: 'data/extra.mapping', idField: 'sequence', loader: 'plain' },
  { file: 'test_missing_events.toml', data: 'data/missing-events.data', mapping: 'data/missing-events.mapping', idField: 'sequence', loader: 'plain' },
];

/**
 * Queries we deliberately do not run, by name, with the reason. Empty: every active query of the four files runs.
 * A query that fails to parse and is not listed here is a failure, so a parser bug cannot hide as "unsupported".
 */
export const UNSUPPORTED_QUERIES: Readonly<Record<string, string>> = {};

export interface EqlSpecCase {
  readonly file: string;
  readonly name: string;
  readonly query: string;
  /** One list, or alternatives (any of which must match exactly). */
  readonly expected: readonly (readonly number[])[];
  readonly joinKeys?: readonly string[];
  readonly size?: number;
}

export interface EqlSpecData {
  readonly documents: readonly Record<string, unknown>[];
  readonly options: EqlRunOptions;
  readonly idField: string;
}

interface LoadedSpecFile {
  readonly spec: EqlSpecFile;
  readonly cases: EqlSpecCase[];
  readonly data: EqlSpecData;
  /** `#[[queries]]` blocks commented out upstream (queries Elasticsearch does not support). */
  readonly commentedOut: number;
}

// --- loading -----------------------------------------------------------------------------------------------------

export function loadEqlSpecFile(directory: string, spec: EqlSpecFile): LoadedSpecFile {
  const folder = path.join(directory, EQL_DIR);
  const text = fs.readFileSync(path.join(folder, spec.file), 'utf8');
  const cases = parseSpecCases(text, spec.file);
  const mapping = readMapping(path.join(folder, spec.mapping));
  const rawData = fs.readFileSync(path.join(folder, spec.data), 'utf8');
  const documents = spec.loader === 'endgame' ? loadEndgameEvents(rawData) : loadPlainEvents(rawData);
  return { spec, cases, data: indexDocuments(documents, mapping, spec.idField), commentedOut: (text.match(/^#\s*\[\[queries\]\]/gm) ?? []).length };
}

/**
 * The `[[queries]]` tables. Bare `null` inside a `join_keys` array (accepted by Elasticsearch's TOML reader,
 * invalid TOML 1.0) becomes `"null"`, which is how join keys are compared anyway.
 */
export function parseSpecCases(text: string, file: string): EqlSpecCase[] {
  const repaired = text.replace(/^(join_keys\s*=\s*\[)([^\]]*)\]/gm, (_, head: string, body: string) => `${head}${body.replace(/(^|[\s,])null(?=\s*(,|$))/g, '$1"null"')}]`);
  const document = parseToml(repaired) as { queries?: Record<string, unknown>[] };
  return (document.queries ?? []).map((table, position) => {
    const name = String(table.name ?? `${file}#${position + 1}`).trim();
    const expected = table.expected_event_ids as unknown[];
    if (typeof table.query !== 'string' || !Array.isArray(expected)) throw new Error(`${file}: query ${name} lacks query or expected_event_ids`);
    const alternatives = expected.length > 0 && Array.isArray(expected[0]) ? (expected as number[][]) : [expected as number[]];
    return {
      file,
      name,
      query: table.query.trim(),
      expected: alternatives.map((ids) => ids.map(Number)),
      ...(Array.isArray(table.join_keys) ? { joinKeys: table.join_keys.map((key) => (key === null ? 'null' : String(key))) } : {}),
      ...(typeof table.size === 'number' ? { size: table.size } : {}),
    };
  });
}

interface Mapping {
  readonly fields: Set<string>;
  readonly types: Map<string, string>;
  readonly aliases: Map<string, string>;
  readonly nullValues: Map<string, unknown>;
}

/** A `.mapping` / mapping JSON file: `#` comment lines dropped, properties walked into dotted names. */
function readMapping(file: string): Mapping {
  const text = fs.readFileSync(file, 'utf8').split('\n').filter((line) => !line.trimStart().startsWith('#')).join('\n');
  const mapping: Mapping = { fields: new Set(), types: new Map(), aliases: new Map(), nullValues: new Map() };
  const walk = (properties: Record<string, Record<string, unknown>>, prefix: string) => {
    for (const [name, definition] of Object.entries(properties)) {
      const full = prefix + name;
      if (definition.properties) {
        walk(definition.properties as Record<string, Record<string, unknown>>, `${full}.`);
        continue;
      }
      mapping.fields.add(full);
      if (typeof definition.type === 'string') mapping.types.set(full, definition.type);
      if (definition.type === 'alias') mapping.aliases.set(full, String(definition.path));
      if ('null_value' in definition) mapping.nullValues.set(full, definition.null_value);
    }
  };
  walk((JSON.parse(text) as { properties: Record<string, Record<string, unknown>> }).properties, '');
  return mapping;
}

/**
 * `test_data.json`: `@timestamp = floor(timestamp / 10000) - 11644473600000` from the Windows FILETIME. The
 * FILETIME values exceed 2^53, so they are read from the text and computed exactly with BigInt.
 */
export function loadEndgameEvents(text: string): Record<string, unknown>[] {
  const events = JSON.parse(text) as Record<string, unknown>[];
  const filetimes = [...text.matchAll(/"timestamp"\s*:\s*(\d+)/g)].map((match) => BigInt(match[1]));
  if (filetimes.length !== events.length) throw new Error(`test_data.json: found ${filetimes.length} timestamps for ${events.length} events`);
  return events.map((event, index) => ({ ...event, '@timestamp': Number(filetimes[index] / 10000n - 11644473600000n) }));
}

/** `.data` files: JSON with `//` comment lines, which Elasticsearch's parser accepts. */
export function loadPlainEvents(text: string): Record<string, unknown>[] {
  return JSON.parse(text.split('\n').filter((line) => !line.trimStart().startsWith('//')).join('\n')) as Record<string, unknown>[];
}

/** What indexing does to the documents, and the search options the harness sends. */
function indexDocuments(events: readonly Record<string, unknown>[], mapping: Mapping, idField: string): EqlSpecData {
  const known = new Set(mapping.fields);
  for (const event of events) for (const name of valuedFieldNames(event)) known.add(name);
  const documents = events.map((event) => {
    const document: Record<string, unknown> = { ...event };
    for (const [field, nullValue] of mapping.nullValues) if (field in document && document[field] === null) document[field] = nullValue;
    for (const [alias, target] of mapping.aliases) if (target in document) document[alias] = document[target];
    return document;
  });
  const fieldTypes: Record<string, EqlFieldType> = {};
  for (const [field, type] of mapping.types) if (type === 'version') fieldTypes[field] = 'version';
  return {
    documents,
    idField,
    options: { tiebreakerField: idField, size: HARNESS_SIZE, fieldTypes, knownFields: (name) => known.has(name) },
  };
}

/** Dotted names of the fields holding a non-null value: what dynamic mapping adds to the index. */
function valuedFieldNames(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((element) => valuedFieldNames(element, prefix));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, child]) => valuedFieldNames(child, prefix === '' ? key : `${prefix}.${key}`));
  }
  return value === null || prefix === '' ? [] : [prefix];
}

// --- checking ----------------------------------------------------------------------------------------------------

export type EqlCaseOutcome = { readonly status: 'passed' } | { readonly status: 'failed' | 'unsupported'; readonly reason: string };

/** Runs one query and compares ids (and join keys when the case lists them) with the expectation. */
export function checkEqlCase(testCase: EqlSpecCase, data: EqlSpecData): EqlCaseOutcome {
  const unsupported = UNSUPPORTED_QUERIES[testCase.name];
  if (unsupported !== undefined) return { status: 'unsupported', reason: unsupported };
  let query: EqlQuery;
  try {
    query = parseEql(testCase.query);
  } catch (error) {
    return { status: 'failed', reason: error instanceof EqlSyntaxError ? `does not parse: ${error.message}` : describeError(error) };
  }
  let ids: number[];
  let joinKeys: string[] = [];
  try {
    const result = runEql(query, data.documents, { ...data.options, ...(testCase.size ? { size: testCase.size } : {}) });
    const idOf = (document: unknown) => Number((document as Record<string, unknown>)[data.idField]);
    if (result.kind === 'events') {
      ids = result.events.map((hit) => idOf(hit.document));
    } else {
      ids = result.sequences.flatMap((sequence) => sequence.events.map((hit) => (hit === null ? -1 : idOf(hit.document))));
      joinKeys = result.sequences.flatMap((sequence) => sequence.key.map((value) => (value === null ? 'null' : String(value))));
    }
  } catch (error) {
    return { status: 'failed', reason: `run failed: ${describeError(error)}` };
  }
  if (!testCase.expected.some((expected) => sameList(expected, ids))) {
    return { status: 'failed', reason: `expected ids ${formatList(testCase.expected[0])}, got ${formatList(ids)}` };
  }
  if (testCase.joinKeys && !sameList(testCase.joinKeys, joinKeys)) {
    return { status: 'failed', reason: `expected join keys ${formatList(testCase.joinKeys)}, got ${formatList(joinKeys)}` };
  }
  return { status: 'passed' };
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

function formatList(values: readonly unknown[]): string {
  const text = JSON.stringify(values);
  return text.length > 160 ? `${text.slice(0, 159)}…]` : text;
}

export function runEqlSuite(directory: string): SuiteResult {
  const title = `EQL spec tests (${EQL_DIR}/)`;
  const folder = path.join(directory, EQL_DIR);
  if (!fs.existsSync(folder)) return { title, skipped: `${folder} is absent`, passed: 0, failed: 0, tables: [], notes: [], failures: [] };
  const failures: Failure[] = [];
  const unsupported: string[] = [];
  const rows: (string | number)[][] = [];
  let passed = 0;
  let commentedOut = 0;
  for (const spec of EQL_SPEC_FILES) {
    const loaded = loadEqlSpecFile(directory, spec);
    commentedOut += loaded.commentedOut;
    const counts = { passed: 0, failed: 0, unsupported: 0 };
    for (const testCase of loaded.cases) {
      const outcome = checkEqlCase(testCase, loaded.data);
      counts[outcome.status] += 1;
      if (outcome.status === 'failed') failures.push({ id: `${spec.file}: ${testCase.name}`, query: testCase.query, reason: outcome.reason });
      if (outcome.status === 'unsupported') unsupported.push(`${spec.file}: ${testCase.name}: ${outcome.reason}`);
    }
    passed += counts.passed + counts.unsupported;
    rows.push([spec.file, loaded.cases.length, counts.passed, counts.failed, counts.unsupported]);
  }
  return {
    title,
    passed: passed - unsupported.length,
    failed: failures.length,
    tables: [{ headers: ['file', 'queries', 'passed', 'failed', 'not run'], rows }],
    notes: [
      `Every active query is run; ${commentedOut} blocks that Elasticsearch itself comments out (queries it does not support) are not queries and are not counted.`,
      unsupported.length === 0 ? 'Queries not run: none.' : `Queries not run (${unsupported.length}):`,
      ...unsupported.map((line) => `- ${line}`),
    ],
    failures,
  };
}

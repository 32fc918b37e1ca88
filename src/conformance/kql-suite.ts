/**
 * KQL conformance cases (`kql-cases.json` of the shared conformance folder). Portable cases must give the reference
 * result; non-portable ones follow Kibana: `kibana.parse` for parsing and `es_expected ?? expected` for evaluation.
 * The jest test (test/engine/kql/conformance.test.ts) uses `checkKqlCase` too, so the two cannot disagree.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { evaluateKql, KqlSyntaxError, parseKql, type KqlNode } from '../engine/kql';
import { describeError, type Failure, type SuiteResult } from './report';

export const KQL_CASES_FILE = 'kql-cases.json';

export interface KqlConformanceCase {
  id: string;
  kind: 'eval' | 'parse';
  query: string;
  document?: unknown;
  expected: boolean | 'runtime_error' | 'parse_ok' | 'parse_error';
  expected_value?: string | null;
  es_expected?: boolean | null;
  portable: boolean;
  kibana: { parse: 'ok' | 'error'; same_tree?: boolean; ast?: string; error?: string };
}

/**
 * Non-portable cases where we deliberately do not follow Kibana/ES, with the reason. Empty: every case can follow
 * Kibana. Keep it explicit so a future deviation has to be written down here and in docs/kql.md.
 */
export const DOCUMENTED_EXCEPTIONS: Readonly<Record<string, string>> = {};

export function loadKqlCases(file: string): KqlConformanceCase[] {
  const cases: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(cases)) throw new Error(`${file} does not hold a JSON array of cases`);
  return cases as KqlConformanceCase[];
}

/** The value of the single `is`/`range` term of a query, as the conformance `expected_value` writes it. */
export function singleTermValue(node: KqlNode): string | undefined {
  if (node.type === 'is' || node.type === 'range') {
    return node.value.kind === 'wildcard' ? node.value.segments.join('*') : node.value.value;
  }
  return undefined;
}

/** What we must answer for a case: portable cases follow the reference, the others follow Kibana/Elasticsearch. */
export function expectedOutcome(c: KqlConformanceCase): KqlConformanceCase['expected'] {
  if (c.kind === 'parse') return (c.portable ? c.expected === 'parse_ok' : c.kibana.parse === 'ok') ? 'parse_ok' : 'parse_error';
  return c.portable ? c.expected : (c.es_expected ?? c.expected);
}

/** Runs one case; `undefined` when it passes, otherwise why it failed. */
export function checkKqlCase(c: KqlConformanceCase): string | undefined {
  const expected = expectedOutcome(c);
  if (c.kind === 'parse') {
    let ast: KqlNode;
    try {
      ast = parseKql(c.query);
    } catch (error) {
      if (expected === 'parse_error') {
        return error instanceof KqlSyntaxError ? undefined : `expected a KqlSyntaxError, got ${describeError(error)}`;
      }
      return `expected parse_ok, got ${describeError(error)}`;
    }
    if (expected === 'parse_error') return 'expected parse_error, but the query parsed';
    if (c.portable && typeof c.expected_value === 'string') {
      const value = singleTermValue(ast);
      if (value !== c.expected_value) return `expected value ${JSON.stringify(c.expected_value)}, got ${JSON.stringify(value)}`;
    }
    return undefined;
  }
  if (typeof expected !== 'boolean') return `case has no boolean expectation (expected ${JSON.stringify(expected)})`;
  let actual: boolean;
  try {
    actual = evaluateKql(parseKql(c.query), c.document);
  } catch (error) {
    return `expected ${expected}, got ${describeError(error)}`;
  }
  return actual === expected ? undefined : `expected ${expected}, got ${actual}`;
}

/** Splits Kibana's `Expected "(", NOT, or value but "n" found.` into its expectation list, sorted. */
export function kibanaExpectations(message: string): string[] {
  const match = /^Expected (.*) but (?:".*"|end of input) found\.$/s.exec(message);
  return match === null ? [] : match[1].split(/, or |, | or /).sort();
}

/**
 * For a query Kibana rejects: undefined when our error has Kibana's position and exactly its expected tokens,
 * otherwise the difference. Undefined for queries Kibana accepts, and for cases that do not carry Kibana's message.
 */
export function checkKibanaError(c: KqlConformanceCase): string | undefined {
  if (c.kibana.parse !== 'error' || c.kibana.error === undefined) return undefined;
  let error: unknown;
  try {
    parseKql(c.query);
    return 'Kibana rejects this query, but it parsed';
  } catch (caught) {
    error = caught;
  }
  if (!(error instanceof KqlSyntaxError)) return `expected a KqlSyntaxError, got ${describeError(error)}`;
  const kibanaMessage = c.kibana.error;
  const expected = kibanaExpectations(kibanaMessage);
  if (JSON.stringify(error.expected) !== JSON.stringify(expected)) {
    return `expected tokens ${JSON.stringify(error.expected)}, Kibana's are ${JSON.stringify(expected)}`;
  }
  const found = /but (?:"(.*)"|end of input) found\.$/s.exec(kibanaMessage);
  const kibanaFound = found?.[1] === undefined ? '' : (JSON.parse(`"${found[1]}"`) as string);
  const ourFound = c.query.charAt(error.offset);
  return ourFound === kibanaFound ? undefined : `error at ${JSON.stringify(ourFound)} (offset ${error.offset}), Kibana's at ${JSON.stringify(kibanaFound)}`;
}

export function runKqlSuite(directory: string): SuiteResult {
  const title = `KQL cases (${KQL_CASES_FILE})`;
  const file = path.join(directory, KQL_CASES_FILE);
  if (!fs.existsSync(file)) return { title, skipped: `${file} is absent`, passed: 0, failed: 0, tables: [], notes: [], failures: [] };
  const cases = loadKqlCases(file);
  const counts = new Map<string, { passed: number; failed: number }>();
  for (const kind of ['eval', 'parse']) for (const portable of [true, false]) counts.set(`${kind}|${portable}`, { passed: 0, failed: 0 });
  const failures: Failure[] = [];
  for (const c of cases) {
    const reason = c.id in DOCUMENTED_EXCEPTIONS ? undefined : checkKqlCase(c) ?? checkKibanaError(c);
    const key = `${c.kind}|${c.portable}`;
    const count = counts.get(key) ?? { passed: 0, failed: 0 };
    counts.set(key, count);
    if (reason === undefined) {
      count.passed++;
    } else {
      count.failed++;
      failures.push({ id: String(c.id), query: c.query, reason: `${c.kind}${c.portable ? '' : ' (non-portable, follows Kibana)'}: ${reason}` });
    }
  }
  const rows = [...counts].map(([key, count]) => {
    const [kind, portable] = key.split('|');
    return [kind, portable === 'true' ? 'yes' : 'no', count.passed + count.failed, count.passed, count.failed];
  });
  const passed = cases.length - failures.length;
  return {
    title,
    passed,
    failed: failures.length,
    tables: [{ headers: ['kind', 'portable', 'cases', 'passed', 'failed'], rows }],
    notes: [
      'Non-portable cases follow Kibana: `kibana.parse` for parse cases, `es_expected ?? expected` for eval cases.',
      "A query Kibana rejects must fail at Kibana's position with exactly Kibana's expected tokens.",
      ...Object.entries(DOCUMENTED_EXCEPTIONS).map(([id, why]) => `Documented exception (counted as passed): ${id}: ${why}`),
    ],
    failures,
  };
}

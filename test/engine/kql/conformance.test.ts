/**
 * Runs the shared KQL conformance cases (../shared/conformance/kql-cases.json, never copied here).
 * Portable cases must give the reference result. Non-portable ones follow Kibana: `kibana.parse` for parsing and
 * `es_expected ?? expected` for evaluation; docs/kql.md explains each. Parsed trees are also compared with the tree
 * Kibana's own grammar produced, and rejected queries with Kibana's error position and expectations.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { evaluateKql, KqlSyntaxError, parseKql, type KqlNode } from '../../../src/engine/kql';
import { renderAst, singleTermValue } from './support/ast-notation';

interface ConformanceCase {
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

const CASES_FILE = path.resolve(__dirname, '../../../../shared/conformance/kql-cases.json');

/**
 * Non-portable cases where we deliberately do not follow Kibana/ES, with the reason. Empty: every case can follow
 * Kibana. Keep it explicit so a future deviation has to be written down here and in docs/kql.md.
 */
const DOCUMENTED_EXCEPTIONS: Readonly<Record<string, string>> = {};

function tryParse(query: string): { ast: KqlNode } | { error: unknown } {
  try {
    return { ast: parseKql(query) };
  } catch (error) {
    return { error };
  }
}

/** Splits Kibana's `Expected "(", NOT, or value but "n" found.` into its expectation list. */
function kibanaExpectations(message: string): string[] {
  const match = /^Expected (.*) but (?:".*"|end of input) found\.$/s.exec(message);
  if (!match) return [];
  return match[1].split(/, or |, | or /);
}

if (!fs.existsSync(CASES_FILE)) {
  describe('KQL conformance', () => {
    test.skip(`skipped: ${CASES_FILE} is absent (the shared conformance folder sits next to the project)`, () => {});
  });
} else {
  const cases = JSON.parse(fs.readFileSync(CASES_FILE, 'utf8')) as ConformanceCase[];
  const label = (c: ConformanceCase): string => `${c.id} ${JSON.stringify(c.query).slice(0, 80)}`;
  const followed = cases.filter((c) => !(c.id in DOCUMENTED_EXCEPTIONS));

  describe('KQL conformance', () => {
    test('the case file has the documented shape', () => {
      expect(cases).toHaveLength(359);
      expect(cases.filter((c) => c.portable && c.kind === 'eval')).toHaveLength(224);
      expect(cases.filter((c) => c.portable && c.kind === 'parse')).toHaveLength(92);
      for (const id of Object.keys(DOCUMENTED_EXCEPTIONS)) {
        expect(cases.find((c) => c.id === id)?.portable).toBe(false);
      }
    });

    describe('parse cases', () => {
      test.each(followed.filter((c) => c.kind === 'parse').map((c) => [label(c), c] as const))('%s', (_, c) => {
        const shouldParse = c.portable ? c.expected === 'parse_ok' : c.kibana.parse === 'ok';
        const outcome = tryParse(c.query);
        if (!shouldParse) {
          expect('error' in outcome && outcome.error instanceof KqlSyntaxError).toBe(true);
          return;
        }
        if ('error' in outcome) throw outcome.error;
        if (c.portable && typeof c.expected_value === 'string') {
          expect(singleTermValue(outcome.ast)).toBe(c.expected_value);
        }
      });
    });

    describe('eval cases', () => {
      test.each(followed.filter((c) => c.kind === 'eval').map((c) => [label(c), c] as const))('%s', (_, c) => {
        const expected = c.portable ? c.expected : (c.es_expected ?? c.expected);
        expect(typeof expected).toBe('boolean');
        expect(evaluateKql(parseKql(c.query), c.document)).toBe(expected);
      });
    });

    describe('trees match Kibana', () => {
      const accepted = followed.filter((c) => c.kibana.parse === 'ok');
      test.each(accepted.map((c) => [label(c), c] as const))('%s', (_, c) => {
        expect(renderAst(parseKql(c.query))).toBe(c.kibana.ast);
      });
    });

    describe('errors match Kibana', () => {
      const rejected = followed.filter((c) => c.kibana.parse === 'error');
      test.each(rejected.map((c) => [label(c), c] as const))('%s', (_, c) => {
        const outcome = tryParse(c.query);
        expect('error' in outcome).toBe(true);
        const error = (outcome as { error: KqlSyntaxError }).error;
        expect(error).toBeInstanceOf(KqlSyntaxError);
        expect(error.expected).toEqual(kibanaExpectations(c.kibana.error ?? '').sort());
        const found = /but (?:"(.*)"|end of input) found\.$/s.exec(c.kibana.error ?? '');
        expect(found?.[1] === undefined ? '' : JSON.parse(`"${found[1]}"`)).toBe(c.query.charAt(error.offset));
      });
    });
  });
}

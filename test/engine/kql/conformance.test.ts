/**
 * Runs the shared KQL conformance cases (../shared/conformance/kql-cases.json, never copied here).
 * Portable cases must give the reference result. Non-portable ones follow Kibana: `kibana.parse` for parsing and
 * `es_expected ?? expected` for evaluation; docs/kql.md explains each. Parsed trees are also compared with the tree
 * Kibana's own grammar produced, and rejected queries with Kibana's error position and expectations.
 */
import * as fs from 'node:fs';
import { parseKql } from '../../../src/engine/kql';
import {
  checkKibanaError,
  checkKqlCase,
  DOCUMENTED_EXCEPTIONS,
  loadKqlCases,
  type KqlConformanceCase,
} from '../../../src/conformance/kql-suite';
import { renderAst } from './support/ast-notation';
import { conformancePath } from '../../support/conformance-data';

const CASES_FILE = conformancePath('kql-cases.json');

if (!fs.existsSync(CASES_FILE)) {
  describe('KQL conformance', () => {
    test.skip(`skipped: ${CASES_FILE} is absent (the shared conformance folder sits next to the project)`, () => {});
  });
} else {
  const cases = loadKqlCases(CASES_FILE);
  const label = (c: KqlConformanceCase): string => `${c.id} ${JSON.stringify(c.query).slice(0, 80)}`;
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

    // The pass/fail rule for parse and eval cases lives in src/conformance/kql-suite.ts, shared with `npm run conformance`.
    describe('parse cases', () => {
      test.each(followed.filter((c) => c.kind === 'parse').map((c) => [label(c), c] as const))('%s', (_, c) => {
        expect(checkKqlCase(c)).toBeUndefined();
      });
    });

    describe('eval cases', () => {
      test.each(followed.filter((c) => c.kind === 'eval').map((c) => [label(c), c] as const))('%s', (_, c) => {
        expect(checkKqlCase(c)).toBeUndefined();
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
        // Same position, exactly the same expected tokens (src/conformance/kql-suite.ts, shared with the command).
        expect(checkKibanaError(c)).toBeUndefined();
      });
    });
  });
}

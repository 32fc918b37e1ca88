/**
 * Elasticsearch's EQL spec tests (../shared/conformance/eql, never copied here), loaded and compared by
 * src/conformance/eql-suite.ts exactly as `npm run conformance` does: one test per query, and the totals pinned.
 */
import { checkEqlCase, EQL_SPEC_FILES, loadEqlSpecFile, runEqlSuite, UNSUPPORTED_QUERIES } from '../../../src/conformance/eql-suite';
import { conformanceDirectory, describeWithConformance } from '../../support/conformance-data';

describeWithConformance('Elasticsearch EQL spec tests', ['eql/test_queries.toml', 'eql/test_data.json', 'eql/data'], () => {
  const loaded = EQL_SPEC_FILES.map((spec) => loadEqlSpecFile(conformanceDirectory(), spec));

  test('the files hold the queries SOURCE.md counts, and every one of them runs', () => {
    expect(loaded.map((file) => [file.spec.file, file.cases.length])).toEqual([
      ['test_queries.toml', 107],
      ['additional_test_queries.toml', 61],
      ['test_extra.toml', 40],
      ['test_missing_events.toml', 26],
    ]);
    expect(UNSUPPORTED_QUERIES).toEqual({});
  });

  for (const file of loaded) {
    describe(file.spec.file, () => {
      test.each(file.cases.map((testCase) => [testCase.name, testCase] as const))('%s', (_, testCase) => {
        expect(checkEqlCase(testCase, file.data)).toEqual({ status: 'passed' });
      });
    });
  }

  test('the conformance command reports 234 passed, 0 failed', () => {
    const result = runEqlSuite(conformanceDirectory());
    expect({ passed: result.passed, failed: result.failed }).toEqual({ passed: 234, failed: 0 });
    expect(result.notes).toContain('Queries not run: none.');
  });
});

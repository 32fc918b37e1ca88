import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  compareDocuments,
  expectedDocuments,
  inputOnlyProblems,
  logLines,
  normalizeLine,
} from '../../../src/conformance/pipeline-comparison';
import { conformancePath } from '../../support/conformance-data';

// The comparison (flattening, documented exclusions, harness ingest time) lives in src/conformance/pipeline-comparison.ts,
// shared with `npm run conformance`.
const FIXTURE_DIR = conformancePath('elastic-cloudtrail-pipeline');
const INPUTS_ONLY_DIR = path.join(FIXTURE_DIR, 'inputs-only');

describe('conformance comparison', () => {
  test('notices changed, missing and extra fields, and honours only the documented exclusions', () => {
    const expected = { event: { action: 'A', type: ['info'] }, user: { name: 'u' }, source: { geo: { city_name: 'X' } }, tags: ['t'] };
    const actual = { event: { action: 'B', type: ['info'], dataset: 'aws.cloudtrail' }, related: { user: ['u'] } };
    const { differences, excluded } = compareDocuments(actual, expected);
    // source.geo is compared (the harness's test databases are reproduced); only tags and fields we add are not.
    expect(differences.map((difference) => difference.field).sort()).toEqual(['event.action', 'related.user', 'source.geo.city_name', 'user.name']);
    expect(excluded).toBe(2);
  });
});

if (!fs.existsSync(FIXTURE_DIR)) {
  test.skip(`Elastic pipeline conformance: fixture folder ${FIXTURE_DIR} is absent`, () => undefined);
} else {
  const pairs = fs.readdirSync(FIXTURE_DIR).filter((name) => /^test-.*\.log$/.test(name)).sort();

  describe('Elastic aws.cloudtrail pipeline conformance', () => {
    test('the fixture folder holds the 9 input/expected pairs', () => {
      expect(pairs).toHaveLength(9);
    });

    describe.each(pairs)('%s', (logName) => {
      const lines = logLines(path.join(FIXTURE_DIR, logName));
      const expected = expectedDocuments(path.join(FIXTURE_DIR, `${logName}-expected.json`));

      test('one document per line', () => {
        expect(lines).toHaveLength(expected.length);
      });

      test.each(lines.map((line, index) => [index + 1, line] as const))('line %i matches field by field', (lineNumber, line) => {
        const { compared, differences } = compareDocuments(normalizeLine(line), expected[lineNumber - 1]);
        expect(compared).toBeGreaterThan(0);
        expect(differences).toEqual([]);
      });
    });
  });

  describe('inputs without expected output', () => {
    const inputs = fs.existsSync(INPUTS_ONLY_DIR)
      ? fs.readdirSync(INPUTS_ONLY_DIR).filter((name) => name.endsWith('.log')).sort()
      : [];

    test('all 17 inputs are present', () => {
      expect(inputs).toHaveLength(17);
    });

    test.each(inputs)('%s normalizes without error', (logName) => {
      for (const line of logLines(path.join(INPUTS_ONLY_DIR, logName))) {
        expect(inputOnlyProblems(normalizeLine(line))).toEqual([]);
      }
    });
  });
}

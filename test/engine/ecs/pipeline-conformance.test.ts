import * as fs from 'node:fs';
import * as path from 'node:path';
import { normalizeCloudTrail } from '../../../src/engine/ecs';
import { compareDocuments } from './conformance-comparison';

const FIXTURE_DIR = path.resolve(__dirname, '../../../../shared/conformance/elastic-cloudtrail-pipeline');
const INPUTS_ONLY_DIR = path.join(FIXTURE_DIR, 'inputs-only');
const HARNESS_TIME = new Date('2021-11-11T01:02:03.123Z');

function logLines(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  // A final newline ends the last line; it does not start another record.
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The harness sends each line as `message`; an empty line parses to nothing, like an empty object with no original text. */
function normalizeLine(line: string): unknown {
  return line === ''
    ? normalizeCloudTrail({}, { receivedAt: HARNESS_TIME, original: '' })
    : normalizeCloudTrail(JSON.parse(line), { receivedAt: HARNESS_TIME, original: line });
}

describe('conformance comparison', () => {
  test('notices changed, missing and extra fields, and honours only the documented exclusions', () => {
    const expected = { event: { action: 'A', type: ['info'] }, user: { name: 'u' }, source: { geo: { city_name: 'X' } }, tags: ['t'] };
    const actual = { event: { action: 'B', type: ['info'], dataset: 'aws.cloudtrail' }, related: { user: ['u'] } };
    const { differences, excluded } = compareDocuments(actual, expected);
    expect(differences.map((difference) => difference.field).sort()).toEqual(['event.action', 'related.user', 'user.name']);
    expect(excluded).toBe(3);
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
      const expected = (JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, `${logName}-expected.json`), 'utf8')) as {
        expected: unknown[];
      }).expected;

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
        const document = normalizeLine(line) as { ecs?: { version?: string }; cloud?: { provider?: string } };
        expect(document.ecs?.version).toBe('8.11.0');
        expect(document.cloud?.provider).toBe('aws');
      }
    });
  });
}

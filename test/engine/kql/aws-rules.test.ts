/**
 * Every Elastic AWS CloudTrail kuery rule (../shared/conformance/elastic-aws-kuery-rules, never copied here) must
 * parse. The queries are read from the TOML files themselves and checked against the decoded copy in index.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { compileKql, fieldsOf, parseKql } from '../../../src/engine/kql';
import { conformancePath } from '../../support/conformance-data';

interface IndexEntry {
  file: string;
  group: string;
  type: string;
  language: string;
  query: string;
}

const RULES_DIR = conformancePath('elastic-aws-kuery-rules');
const INDEX_FILE = path.join(RULES_DIR, 'index.json');

function tomlFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return tomlFiles(full);
    return entry.name.endsWith('.toml') ? [full] : [];
  });
}

function queryOf(tomlFile: string): string {
  const document = parseToml(fs.readFileSync(tomlFile, 'utf8')) as { rule?: { query?: unknown } };
  const query = document.rule?.query;
  if (typeof query !== 'string') throw new Error(`${tomlFile} has no rule.query string`);
  return query;
}

if (!fs.existsSync(INDEX_FILE)) {
  describe('Elastic AWS kuery rules', () => {
    test.skip(`skipped: ${RULES_DIR} is absent (the shared conformance folder sits next to the project)`, () => {});
  });
} else {
  const index = JSON.parse(fs.readFileSync(INDEX_FILE, 'utf8')) as IndexEntry[];
  const files = tomlFiles(RULES_DIR);

  describe('Elastic AWS kuery rules', () => {
    test('index.json lists every TOML file once, all kuery', () => {
      expect(Array.isArray(index)).toBe(true);
      const listed = index.map((entry) => path.join(RULES_DIR, entry.file)).sort();
      expect(listed).toEqual([...files].sort());
      for (const entry of index) {
        expect(entry.language).toBe('kuery');
        expect(typeof entry.query).toBe('string');
      }
    });

    test.each(index.map((entry) => [entry.file, entry] as const))('%s parses', (_, entry) => {
      const query = queryOf(path.join(RULES_DIR, entry.file));
      expect(query).toBe(entry.query);
      const ast = parseKql(query);
      expect(ast.type).not.toBe('matchAll');
      const fields = fieldsOf(ast);
      expect(fields.some((field) => field === 'event.dataset' || field === 'data_stream.dataset')).toBe(true);
      // A rule must also compile and run on a document that has none of its fields.
      expect(typeof compileKql(ast)({})).toBe('boolean');
    });
  });
}

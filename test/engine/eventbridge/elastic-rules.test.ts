import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileEventPattern } from '../../../src/engine/eventbridge';
import { parseKql } from '../../../src/engine/kql';
import { assertPatternIsSound } from './soundness';
import { conformancePath } from '../../support/conformance-data';

/** Elastic's AWS CloudTrail kuery rules, read from the shared conformance folder when it is present. */
const RULES_DIR = conformancePath('elastic-aws-kuery-rules');
const INDEX_FILE = join(RULES_DIR, 'index.json');

interface IndexEntry {
  readonly file: string;
  readonly group: string;
  readonly query: string;
}

const entries: IndexEntry[] = existsSync(INDEX_FILE) ? JSON.parse(readFileSync(INDEX_FILE, 'utf8')) : [];
const describeIfPresent = entries.length > 0 ? describe : describe.skip;

describeIfPresent('compileEventPattern over the Elastic AWS rules', () => {
  it('reads the index (155 entries with a query each)', () => {
    expect(entries.length).toBeGreaterThanOrEqual(150);
    for (const entry of entries) expect(typeof entry.query).toBe('string');
  });

  it.each(entries.map((entry) => [`${entry.group}/${entry.file}`, entry.query] as const))('%s', (_name, query) => {
    const compiled = compileEventPattern(parseKql(query));
    expect(compiled.pattern['detail-type']).toContain('AWS API Call via CloudTrail');
    assertPatternIsSound(query, 150);
  });
});

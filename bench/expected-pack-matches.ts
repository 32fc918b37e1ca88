/**
 * How many matches a scan with a whole rule pack must report on a synthetic archive, found the slow, obvious way in
 * this process: every record normalized in full (with the shipped enrichment, as `scan` does by default) and every
 * rule tested, no index, no pre-filter, no workers. The count is cached beside the archive, keyed by the rules'
 * text, because it takes longer than the scans it checks.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { normalizeCloudTrail } from '../src/engine/ecs';
import { compileRules, loadRulePack } from '../src/engine/rules';
import { loadDefaultEnrichment } from '../src/enrichment/load-enrichment';
import type { Archive } from './synthetic-archive';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.json.gz') ? [join(dir, entry.name)] : []))
    .sort();
}

function packKey(rulesDirectory: string): string {
  const hash = createHash('sha256');
  const tomlFiles = readdirSync(rulesDirectory, { recursive: true }).map(String).filter((name) => name.endsWith('.toml')).sort();
  for (const file of tomlFiles) hash.update(file).update(readFileSync(join(rulesDirectory, file)));
  return hash.digest('hex').slice(0, 16);
}

/** Matches (alerts + matches held back by a rule's alert suppression) the pack must find in the archive. */
export function expectedPackMatches(archive: Archive, rulesDirectory: string, log: (line: string) => void): number {
  const cache = join(dirname(archive.dir), `pack-matches-${packKey(rulesDirectory)}.json`);
  if (existsSync(cache)) return (JSON.parse(readFileSync(cache, 'utf8')) as { matches: number }).matches;
  log(`counting the pack's matches in ${archive.dir} the slow way (every record normalized, every rule tested) ...`);
  const rules = compileRules(loadRulePack(rulesDirectory).rules);
  const enrichment = loadDefaultEnrichment();
  const receivedAt = new Date();
  let matches = 0;
  for (const file of files(archive.dir)) {
    for (const record of (JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as { Records: Record<string, unknown>[] }).Records) {
      const document = normalizeCloudTrail(record, { receivedAt, enrichment });
      for (const rule of rules) if (rule.matches(document)) matches += 1;
    }
  }
  writeFileSync(cache, JSON.stringify({ matches }));
  return matches;
}

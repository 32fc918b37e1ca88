import { existsSync } from 'node:fs';
import path from 'node:path';
import type { EnrichmentFiles } from '../src/enrichment/file-enrichment';

/** Where the CDK app puts the enrichment files in the bundle (lib/enrichment-bundle.ts writes the same names). */
export const ENRICHMENT_DIRECTORY = 'enrichment';
export const BUNDLED_ENRICHMENT_FILES = {
  geoDatabase: 'geo.mmdb',
  asnDatabase: 'asn.mmdb',
  userAgentRegexes: 'uap-regexes.json',
} as const satisfies Record<keyof EnrichmentFiles, string>;

/**
 * The enrichment files shipped in the bundle (`enrichment/` next to the handler). Each one is optional: a stack
 * synthesized with `-c enrich=false`, or without a database, leaves those fields out. Read on first use.
 */
export function bundledEnrichmentFiles(directory: string): EnrichmentFiles {
  const files: { -readonly [K in keyof EnrichmentFiles]: string } = {};
  for (const [key, name] of Object.entries(BUNDLED_ENRICHMENT_FILES) as [keyof EnrichmentFiles, string][]) {
    const file = path.join(directory, ENRICHMENT_DIRECTORY, name);
    if (existsSync(file)) files[key] = file;
  }
  return files;
}

/**
 * Enrichment for the CLI, the conformance command and the CDK app: the shipped databases (resolved from
 * node_modules, the ASN table converted on first use) or the user's own files, and uap-core's regexes.yaml.
 */
import * as fs from 'node:fs';
import type { Enrichment, UapRegexes } from '../engine/enrichment';
import { enrichmentFromFiles, type EnrichmentFiles, type EnrichmentSources } from './file-enrichment';
import { shippedAsnDatabase, shippedCountryDatabase, shippedUserAgentRegexes, shippedUserAgentRegexesJson } from './shipped-databases';

/** uap-core's regexes.yaml, or the JSON compiled from it. The YAML parser is loaded only for YAML. */
export function readUapRegexes(file: string): UapRegexes {
  const text = fs.readFileSync(file, 'utf8');
  if (file.endsWith('.json')) return JSON.parse(text) as UapRegexes;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parse } = require('yaml') as typeof import('yaml');
  return parse(text) as UapRegexes;
}

/** The shipped databases, with the user's own files where given. Converts the shipped ASN table on first call. */
export function defaultEnrichmentFiles(own: EnrichmentFiles = {}): Required<EnrichmentFiles> {
  return {
    geoDatabase: own.geoDatabase ?? shippedCountryDatabase(),
    asnDatabase: own.asnDatabase ?? shippedAsnDatabase(),
    userAgentRegexes: own.userAgentRegexes ?? shippedUserAgentRegexes(),
  };
}

export function loadEnrichment(files: EnrichmentSources): Enrichment {
  return enrichmentFromFiles(files, readUapRegexes);
}

/**
 * The user's files where given, else the shipped ones, found (and the ASN table converted, once per installed
 * version) only when the first event needs them.
 */
export function loadDefaultEnrichment(own: EnrichmentFiles = {}): Enrichment {
  return loadEnrichment({
    geoDatabase: own.geoDatabase ?? shippedCountryDatabase,
    asnDatabase: own.asnDatabase ?? shippedAsnDatabase,
    // JSON converted once from regexes.yaml: parsing the YAML costs a quarter of a second on every start.
    userAgentRegexes: own.userAgentRegexes ?? (() => shippedUserAgentRegexesJson(readUapRegexes)),
  });
}

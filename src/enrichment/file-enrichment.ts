/**
 * Door-side half of the enrichment port: reads the databases and regexes from files and hands the engine lookups.
 * Everything is read on first use (a 15 MB ASN database, an 8 MB country database, 1,200 regexes), once per process,
 * never per event. No YAML parser and no package resolution here: the Lambda bundles this file.
 */
import * as fs from 'node:fs';
import {
  compileUserAgentParser,
  createMmdbIpEnrichment,
  MmdbDatabase,
  type Enrichment,
  type UapRegexes,
  type UserAgentParser,
} from '../engine/enrichment';

/** A file, or how to find it when it is first needed (the shipped ASN database is converted on first use). */
export type EnrichmentFile = string | (() => string);

export interface EnrichmentSources {
  readonly geoDatabase?: EnrichmentFile;
  readonly asnDatabase?: EnrichmentFile;
  readonly userAgentRegexes?: EnrichmentFile;
}

export interface EnrichmentFiles {
  /** City or country MMDB (GeoLite2/GeoIP2, or ip-location-db's layout) for `source.geo`. */
  readonly geoDatabase?: string;
  /** ASN MMDB (GeoLite2-ASN, or the shipped conversion) for `source.as`. */
  readonly asnDatabase?: string;
  /** uap-core's regexes (regexes.yaml, or the JSON the CDK app compiles from it). */
  readonly userAgentRegexes?: string;
}

export class EnrichmentFileError extends Error {}

/**
 * Entries kept per cache (addresses, user-agent strings). Elasticsearch keeps 1,000; a scan over a large trail meets
 * more distinct agents than that (aws-cli names the command in its agent), and a parse that misses the cache costs
 * about a millisecond (1,175 regexes), so we keep more: a few megabytes at most.
 */
const CACHE_ENTRIES = 10_000;

export type UapRegexesReader = (file: string) => UapRegexes;

export const readUapRegexesJson: UapRegexesReader = (file) => JSON.parse(fs.readFileSync(file, 'utf8')) as UapRegexes;

const pathOf = (file: EnrichmentFile): string => (typeof file === 'string' ? file : file());

function database(file: EnrichmentFile): MmdbDatabase {
  return new MmdbDatabase({ name: typeof file === 'string' ? file : 'the shipped database', load: () => fs.readFileSync(pathOf(file)) });
}

function lazyUserAgentParser(file: EnrichmentFile, read: UapRegexesReader): UserAgentParser {
  let parser: UserAgentParser | undefined;
  return {
    parse(agent) {
      parser ??= compileUserAgentParser(read(pathOf(file)), { cacheSize: CACHE_ENTRIES });
      return parser.parse(agent);
    },
  };
}

/** Lookups over the given files; a file not given leaves its fields out. Nothing is read until the first lookup. */
export function enrichmentFromFiles(files: EnrichmentSources, readRegexes: UapRegexesReader = readUapRegexesJson): Enrichment {
  const geo = files.geoDatabase === undefined ? undefined : database(files.geoDatabase);
  const asn = files.asnDatabase === undefined ? undefined : database(files.asnDatabase);
  return {
    ...(geo || asn ? { ip: createMmdbIpEnrichment({ geo, asn, cacheSize: CACHE_ENTRIES }) } : {}),
    ...(files.userAgentRegexes === undefined ? {} : { userAgent: lazyUserAgentParser(files.userAgentRegexes, readRegexes) }),
  };
}

/**
 * Checks database files a user named (CLI option, CDK context) before any event is read: each must exist and be a
 * MaxMind DB of the right kind. Throws EnrichmentFileError saying which file and what to give instead.
 */
export function checkEnrichmentFiles(files: EnrichmentFiles, names: { geo: string; asn: string }): void {
  const check = (file: string | undefined, option: string, kinds: readonly string[], wanted: string): void => {
    if (file === undefined) return;
    if (!fs.existsSync(file)) throw new EnrichmentFileError(`${option}: ${file} does not exist`);
    let opened;
    try {
      opened = database(file).open();
    } catch (error) {
      throw new EnrichmentFileError(`${option}: ${(error as Error).message}; give a GeoLite2/GeoIP2 .mmdb file`);
    }
    if (opened.layout !== undefined && !kinds.includes(opened.layout)) {
      throw new EnrichmentFileError(`${option}: ${file} is a ${opened.databaseType} database; give ${wanted} database`);
    }
  };
  check(files.geoDatabase, names.geo, ['city', 'country'], 'a City or Country');
  check(files.asnDatabase, names.asn, ['asn'], 'an ASN');
}

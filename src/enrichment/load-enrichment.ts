/**
 * Door-side half of the enrichment port: reads the databases and regexes from files and hands the engine lookups.
 * Everything is read on first use (an ASN database of 15 MB, a country database of 8 MB, 1,200 regexes), once per
 * process, never per event.
 */
import * as fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import {
  compileUserAgentParser,
  createMmdbIpEnrichment,
  MmdbDatabase,
  type Enrichment,
  type UapRegexes,
  type UserAgentParser,
} from '../engine/enrichment';
import { shippedAsnDatabase, shippedCountryDatabase, shippedUserAgentRegexes } from './shipped-databases';

export interface EnrichmentFiles {
  /** City or country MMDB (GeoLite2/GeoIP2, or ip-location-db's layout) for `source.geo`. */
  readonly geoDatabase?: string;
  /** ASN MMDB (GeoLite2-ASN, or the shipped conversion) for `source.as`. */
  readonly asnDatabase?: string;
  /** uap-core's regexes.yaml, or the JSON the CDK app compiles from it. */
  readonly userAgentRegexes?: string;
}

export class EnrichmentFileError extends Error {}

/** The shipped databases, with the user's own files where given. Converts the shipped ASN table on first call. */
export function defaultEnrichmentFiles(own: EnrichmentFiles = {}): Required<EnrichmentFiles> {
  return {
    geoDatabase: own.geoDatabase ?? shippedCountryDatabase(),
    asnDatabase: own.asnDatabase ?? shippedAsnDatabase(),
    userAgentRegexes: own.userAgentRegexes ?? shippedUserAgentRegexes(),
  };
}

export function readUapRegexes(file: string): UapRegexes {
  const text = fs.readFileSync(file, 'utf8');
  return (file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as UapRegexes;
}

function database(file: string): MmdbDatabase {
  return new MmdbDatabase({ name: file, load: () => fs.readFileSync(file) });
}

function lazyUserAgentParser(file: string): UserAgentParser {
  let parser: UserAgentParser | undefined;
  return {
    parse(agent) {
      parser ??= compileUserAgentParser(readUapRegexes(file));
      return parser.parse(agent);
    },
  };
}

/** Lookups over the given files; a file not given leaves its fields out. Nothing is read until the first lookup. */
export function loadEnrichment(files: EnrichmentFiles): Enrichment {
  const geo = files.geoDatabase === undefined ? undefined : database(files.geoDatabase);
  const asn = files.asnDatabase === undefined ? undefined : database(files.asnDatabase);
  return {
    ...(geo || asn ? { ip: createMmdbIpEnrichment({ geo, asn }) } : {}),
    ...(files.userAgentRegexes === undefined ? {} : { userAgent: lazyUserAgentParser(files.userAgentRegexes) }),
  };
}

/**
 * Checks files a user named (CLI option, CDK context) before any event is read: each must exist and be a MaxMind
 * DB of the right kind. Throws EnrichmentFileError saying which file and what to do.
 */
export function checkEnrichmentFiles(files: EnrichmentFiles): void {
  const check = (file: string | undefined, option: string, kinds: readonly string[]): void => {
    if (file === undefined) return;
    if (!fs.existsSync(file)) throw new EnrichmentFileError(`${option}: ${file} does not exist`);
    let opened;
    try {
      opened = database(file).open();
    } catch (error) {
      throw new EnrichmentFileError(`${option}: ${(error as Error).message}; give a GeoLite2/GeoIP2 .mmdb file`);
    }
    if (opened.layout !== undefined && !kinds.includes(opened.layout)) {
      throw new EnrichmentFileError(`${option}: ${file} is a ${opened.databaseType} database; give a ${kinds.join(' or ')} database`);
    }
  };
  check(files.geoDatabase, 'GeoIP database', ['city', 'country']);
  check(files.asnDatabase, 'ASN database', ['asn']);
}

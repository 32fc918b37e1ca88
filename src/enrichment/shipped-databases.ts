/**
 * The databases the project ships (npm packages, pinned in package.json; licences in docs/enrichment.md):
 * - country: @ip-location-db/geo-whois-asn-country-mmdb (NRO/RIR WHOIS data, geofeeds; CC0 / CC BY 4.0 NRO);
 * - ASN: @ip-location-db/asn (RouteViews, NRO, DB-IP IP to ASN Lite; CC BY 4.0), converted to MMDB (asn-database.ts);
 * - user agents: uap-core's regexes.yaml (Apache-2.0), the regexes Elasticsearch's user_agent processor uses.
 * City data is not shipped by default (tens of megabytes, see docs/enrichment.md): point at a GeoLite2/GeoIP2 City file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cachedAsnDatabase } from './asn-database';

export const COUNTRY_PACKAGE = '@ip-location-db/geo-whois-asn-country-mmdb';
const COUNTRY_FILE = 'geo-whois-asn-country.mmdb';
export const USER_AGENT_PACKAGE = 'uap-core';

export function shippedCountryDatabase(): string {
  return path.join(path.dirname(require.resolve(`${COUNTRY_PACKAGE}/package.json`)), COUNTRY_FILE);
}

export function shippedUserAgentRegexes(): string {
  return require.resolve(`${USER_AGENT_PACKAGE}/regexes.yaml`);
}

/**
 * Where converted databases are kept: node_modules/.cache/cloudtrail-stream-detector (the usual place for a
 * package's build cache), or the system temp folder when node_modules is not writable.
 */
export function enrichmentCacheDirectory(): string {
  const modules = path.resolve(path.dirname(require.resolve(`${USER_AGENT_PACKAGE}/package.json`)), '..');
  return path.join(modules, '.cache', 'cloudtrail-stream-detector');
}

/** Builds a cached file in the package cache, or in the temp folder when node_modules is read-only. */
function inCache(build: (directory: string) => string): string {
  try {
    return build(enrichmentCacheDirectory());
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM') throw error;
    return build(path.join(os.tmpdir(), 'cloudtrail-stream-detector'));
  }
}

/** The shipped ASN database, converted on first use (a few seconds, once per package version). */
export function shippedAsnDatabase(): string {
  return inCache(cachedAsnDatabase);
}

/** uap-core's regexes as JSON, converted from regexes.yaml once per uap-core version. */
export function shippedUserAgentRegexesJson(readYaml: (file: string) => unknown): string {
  return inCache((directory) => {
    const version = (JSON.parse(fs.readFileSync(require.resolve(`${USER_AGENT_PACKAGE}/package.json`), 'utf8')) as { version: string }).version;
    const file = path.join(directory, `uap-core-${version}-regexes.json`);
    if (fs.existsSync(file)) return file;
    fs.mkdirSync(directory, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(readYaml(shippedUserAgentRegexes())));
    fs.renameSync(temporary, file);
    return file;
  });
}

/**
 * The entries of MaxMind's test databases (github.com/maxmind/MaxMind-DB, source-data/GeoLite2-City-Test.json and
 * GeoLite2-ASN-Test.json) that Elastic's pipeline fixtures resolve: Elasticsearch's test setup serves those
 * databases, so its expected documents locate 81.2.69.144 in London, 89.160.20.156 in Linköping (AS29518) and
 * 216.160.83.56 in Milton (AS209, no organization in the test data). Written into MMDB files with our writer, they
 * let the conformance check compare the geo/AS field mapping itself, independent of any production database.
 */
import { createMmdbIpEnrichment, MmdbDatabase, type IpEnrichment } from '../engine/enrichment';
import { MmdbWriter, type MmdbValue } from '../enrichment/mmdb-writer';

const names = (en: string): MmdbValue => ({ en });
const EUROPE = { code: 'EU', geoname_id: 6255148, names: names('Europe') };
const NORTH_AMERICA = { code: 'NA', geoname_id: 6255149, names: names('North America') };

/** [network, prefix length, GeoIP2 City record] as in GeoLite2-City-Test. */
export const MAXMIND_TEST_CITY_ENTRIES: readonly [string, number, MmdbValue][] = [
  ['81.2.69.144', 28, {
    city: { geoname_id: 2643743, names: names('London') },
    continent: EUROPE,
    country: { geoname_id: 2635167, iso_code: 'GB', names: names('United Kingdom') },
    location: { accuracy_radius: 10, latitude: 51.5142, longitude: -0.0931, time_zone: 'Europe/London' },
    subdivisions: [{ geoname_id: 6269131, iso_code: 'ENG', names: names('England') }],
  }],
  ['89.160.20.128', 25, {
    city: { geoname_id: 2694762, names: names('Linköping') },
    continent: EUROPE,
    country: { geoname_id: 2661886, iso_code: 'SE', names: names('Sweden') },
    location: { accuracy_radius: 76, latitude: 58.4167, longitude: 15.6167, time_zone: 'Europe/Stockholm' },
    subdivisions: [{ geoname_id: 2685867, iso_code: 'E', names: names('Östergötland County') }],
  }],
  ['216.160.83.56', 29, {
    city: { geoname_id: 5803556, names: names('Milton') },
    continent: NORTH_AMERICA,
    country: { geoname_id: 6252001, iso_code: 'US', names: names('United States') },
    location: { accuracy_radius: 22, latitude: 47.2513, longitude: -122.3149, time_zone: 'America/Los_Angeles' },
    postal: { code: '98354' },
    subdivisions: [{ geoname_id: 5815135, iso_code: 'WA', names: names('Washington') }],
  }],
];

/** [network, prefix length, GeoLite2-ASN record] as in GeoLite2-ASN-Test. */
export const MAXMIND_TEST_ASN_ENTRIES: readonly [string, number, MmdbValue][] = [
  ['89.160.0.0', 17, { autonomous_system_number: 29518, autonomous_system_organization: 'Bredband2 AB' }],
  ['216.160.83.56', 29, { autonomous_system_number: 209 }],
];

const BUILD_EPOCH = 1_700_000_000;

export function buildTestDatabase(databaseType: string, entries: readonly [string, number, MmdbValue][]): Buffer {
  const writer = new MmdbWriter();
  for (const [network, prefixLength, record] of entries) writer.insertNetwork(network, prefixLength, record);
  return writer.toBuffer({ databaseType, description: { en: `${databaseType} (MaxMind test entries)` }, buildEpoch: BUILD_EPOCH });
}

let testEnrichment: IpEnrichment | undefined;

/** Lookups over GeoLite2-City-Test and GeoLite2-ASN-Test entries, built once per process. */
export function maxMindTestIpEnrichment(): IpEnrichment {
  testEnrichment ??= createMmdbIpEnrichment({
    geo: new MmdbDatabase({ name: 'GeoLite2-City-Test', load: () => buildTestDatabase('GeoLite2-City', MAXMIND_TEST_CITY_ENTRIES) }),
    asn: new MmdbDatabase({ name: 'GeoLite2-ASN-Test', load: () => buildTestDatabase('GeoLite2-ASN', MAXMIND_TEST_ASN_ENTRIES) }),
  });
  return testEnrichment;
}

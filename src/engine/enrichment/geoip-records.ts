/**
 * From a database record to the ECS fields, as Elasticsearch's geoip processor maps GeoIP2/GeoLite2 City, Country
 * and ASN records (MaxmindIpDataLookups: English names, the most specific subdivision, region ISO code as
 * `<country>-<subdivision>`, a location only when both coordinates are known). Databases in ip-location-db's
 * layout (`country_code`, `city`, `state1`, `latitude`, `longitude`) are mapped onto the same fields, with country
 * and continent names from the country code.
 */
import { continentName, countryName } from './countries';
import type { AsFields, GeoFields } from './enrichment';

type Json = Readonly<Record<string, unknown>>;

function object(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function coordinate(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function englishName(record: Json | undefined): string | undefined {
  return text(object(record?.names)?.en);
}

/** Which layout a database's records have: Elasticsearch picks City/Country/ASN by the database type's suffix. */
export type GeoRecordLayout = 'city' | 'country' | 'asn';

/** `GeoLite2-City`, `GeoIP2-City`, `DBIP-City-Lite` ... → `city`; undefined when the type names none of the three. */
export function layoutOfDatabaseType(databaseType: string): GeoRecordLayout | undefined {
  if (databaseType.endsWith('-City')) return 'city';
  if (databaseType.endsWith('-Country')) return 'country';
  if (databaseType.endsWith('-ASN')) return 'asn';
  return undefined;
}

/** The fields that are set (as the processor puts only non-null values); undefined when there are none. */
function withoutEmpty<T extends object>(fields: T): T | undefined {
  const set = Object.entries(fields).filter(([, value]) => value !== undefined);
  return set.length > 0 ? (Object.fromEntries(set) as T) : undefined;
}

/** `source.geo` from a GeoIP2 City or Country record (Country: continent and country only, its default properties). */
export function geoFieldsFromMaxMind(record: unknown, layout: 'city' | 'country'): GeoFields | undefined {
  const data = object(record);
  if (data === undefined) return undefined;
  const country = object(data.country);
  const countryIsoCode = text(country?.iso_code);
  const fields: { -readonly [K in keyof GeoFields]: GeoFields[K] } = {
    continent_name: englishName(object(data.continent)),
    country_iso_code: countryIsoCode,
    country_name: englishName(country),
  };
  if (layout === 'city') {
    const subdivisions = Array.isArray(data.subdivisions) ? data.subdivisions : [];
    const subdivision = object(subdivisions[subdivisions.length - 1]);
    const subdivisionIsoCode = text(subdivision?.iso_code);
    const location = object(data.location);
    const lat = coordinate(location?.latitude);
    const lon = coordinate(location?.longitude);
    fields.city_name = englishName(object(data.city));
    fields.region_iso_code = countryIsoCode !== undefined && subdivisionIsoCode !== undefined ? `${countryIsoCode}-${subdivisionIsoCode}` : undefined;
    fields.region_name = englishName(subdivision);
    fields.location = lat !== undefined && lon !== undefined ? { lat, lon } : undefined;
  }
  return withoutEmpty(fields);
}

/** `source.geo` from an ip-location-db country or city record. */
export function geoFieldsFromCountryCode(record: unknown): GeoFields | undefined {
  const data = object(record);
  const isoCode = text(data?.country_code)?.toUpperCase();
  if (data === undefined || isoCode === undefined) return undefined;
  const lat = coordinate(data.latitude);
  const lon = coordinate(data.longitude);
  return withoutEmpty({
    city_name: text(data.city),
    continent_name: continentName(isoCode),
    country_iso_code: isoCode,
    country_name: countryName(isoCode),
    location: lat !== undefined && lon !== undefined ? { lat, lon } : undefined,
    region_name: text(data.state1),
  });
}

/** `source.as` from a GeoLite2-ASN record (the same member names in ip-location-db's ASN data). */
export function asFieldsFromRecord(record: unknown): AsFields | undefined {
  const data = object(record);
  const number = data?.autonomous_system_number;
  return withoutEmpty({
    number: typeof number === 'number' && Number.isInteger(number) ? number : undefined,
    organizationName: text(data?.autonomous_system_organization),
  });
}

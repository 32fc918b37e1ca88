import { asFieldsFromRecord, geoFieldsFromCountryCode, geoFieldsFromMaxMind, layoutOfDatabaseType } from '../../../src/engine/enrichment/geoip-records';

const MILTON = {
  city: { names: { en: 'Milton', de: 'Milton (Washington)' } },
  continent: { code: 'NA', names: { en: 'North America' } },
  country: { iso_code: 'US', names: { en: 'United States' } },
  registered_country: { iso_code: 'CA', names: { en: 'Canada' } },
  location: { latitude: 47.2513, longitude: -122.3149, time_zone: 'America/Los_Angeles' },
  subdivisions: [{ iso_code: 'WA', names: { en: 'Washington' } }, { iso_code: 'PIE', names: { en: 'Pierce' } }],
};

describe('GeoIP records to ECS fields (Elasticsearch geoip processor)', () => {
  it('maps a City record: English names, the most specific subdivision, <country>-<subdivision>, lat/lon', () => {
    expect(geoFieldsFromMaxMind(MILTON, 'city')).toEqual({
      city_name: 'Milton',
      continent_name: 'North America',
      country_iso_code: 'US',
      country_name: 'United States',
      location: { lat: 47.2513, lon: -122.3149 },
      region_iso_code: 'US-PIE',
      region_name: 'Pierce',
    });
  });

  it('keeps only what the record has: no region code without both parts, no location without both coordinates', () => {
    const partial = { country: { names: { en: 'Nowhere' } }, subdivisions: [{ iso_code: 'X' }], location: { latitude: 1 } };
    expect(geoFieldsFromMaxMind(partial, 'city')).toEqual({ country_name: 'Nowhere' });
    expect(geoFieldsFromMaxMind({}, 'city')).toBeUndefined();
  });

  it('maps a Country record to its default properties only', () => {
    expect(geoFieldsFromMaxMind(MILTON, 'country')).toEqual({ continent_name: 'North America', country_iso_code: 'US', country_name: 'United States' });
  });

  it('maps ip-location-db records (country code, city, state) with MaxMind country and continent names', () => {
    expect(geoFieldsFromCountryCode({ country_code: 'HK' })).toEqual({ continent_name: 'Asia', country_iso_code: 'HK', country_name: 'Hong Kong' });
    expect(geoFieldsFromCountryCode({ country_code: 'se', city: 'Linköping', state1: 'Östergötland', latitude: 58.41, longitude: 15.62 })).toEqual({
      city_name: 'Linköping',
      continent_name: 'Europe',
      country_iso_code: 'SE',
      country_name: 'Sweden',
      location: { lat: 58.41, lon: 15.62 },
      region_name: 'Östergötland',
    });
  });

  it('maps ASN records; an AS without organization keeps its number', () => {
    expect(asFieldsFromRecord({ autonomous_system_number: 16509, autonomous_system_organization: 'Amazon.com, Inc.' })).toEqual({
      number: 16509,
      organizationName: 'Amazon.com, Inc.',
    });
    expect(asFieldsFromRecord({ autonomous_system_number: 209 })).toEqual({ number: 209 });
    expect(asFieldsFromRecord({ autonomous_system_number: 'x' })).toBeUndefined();
  });

  it('recognizes the layout by the database type suffix, as Elasticsearch does', () => {
    expect(layoutOfDatabaseType('GeoIP2-City')).toBe('city');
    expect(layoutOfDatabaseType('GeoLite2-Country')).toBe('country');
    expect(layoutOfDatabaseType('GeoLite2-ASN')).toBe('asn');
    expect(layoutOfDatabaseType('country ipvAll')).toBeUndefined();
  });
});

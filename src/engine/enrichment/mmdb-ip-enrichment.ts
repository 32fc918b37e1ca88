/**
 * IP enrichment from MaxMind DB files (GeoIP2/GeoLite2 City, Country and ASN, or ip-location-db databases of the
 * same format), read with mmdb-lib. The bytes are handed over by whoever runs the engine and read on the first
 * lookup, once per container: an event without an IP address never pays for it.
 */
import { Reader } from 'mmdb-lib';
import { BoundedCache } from './bounded-cache';
import type { AsFields, GeoFields, IpEnrichment } from './enrichment';
import { asFieldsFromRecord, geoFieldsFromCountryCode, geoFieldsFromMaxMind, layoutOfDatabaseType, type GeoRecordLayout } from './geoip-records';

/** A database to read: its bytes are asked for once, on first use. */
export interface MmdbSource {
  /** Where it comes from, for messages (a file path, a package name). */
  readonly name: string;
  readonly load: () => Buffer;
}

export class MmdbDatabaseError extends Error {}

/** An opened database: its reader and how its records are laid out. */
export class MmdbDatabase {
  private opened?: { reader: Reader<Record<string, unknown>>; layout?: GeoRecordLayout; databaseType: string };

  constructor(readonly source: MmdbSource) {}

  /** Reads and checks the file (at most once); throws MmdbDatabaseError naming the file when it is not an MMDB. */
  open(): { reader: Reader<Record<string, unknown>>; layout?: GeoRecordLayout; databaseType: string } {
    if (this.opened === undefined) {
      let reader: Reader<Record<string, unknown>>;
      try {
        reader = new Reader<Record<string, unknown>>(this.source.load());
      } catch (error) {
        throw new MmdbDatabaseError(`${this.source.name} is not a readable MaxMind DB file: ${error instanceof Error ? error.message : String(error)}`);
      }
      const databaseType = reader.metadata.databaseType;
      this.opened = { reader, layout: layoutOfDatabaseType(databaseType), databaseType };
    }
    return this.opened;
  }

  get(ip: string): Record<string, unknown> | null {
    return this.open().reader.get(ip);
  }
}

const NOT_FOUND = Symbol('not found');

export interface MmdbIpEnrichmentOptions {
  /** City or country database for `source.geo`. */
  readonly geo?: MmdbDatabase;
  /** ASN database for `source.as`. */
  readonly asn?: MmdbDatabase;
  readonly cacheSize?: number;
}

function geoFields(database: MmdbDatabase, record: Record<string, unknown>): GeoFields | undefined {
  const layout = database.open().layout;
  if (layout === 'city' || layout === 'country') return geoFieldsFromMaxMind(record, layout);
  return typeof record.country_code === 'string' ? geoFieldsFromCountryCode(record) : geoFieldsFromMaxMind(record, 'city');
}

export function createMmdbIpEnrichment(options: MmdbIpEnrichmentOptions): IpEnrichment {
  const geoCache = new BoundedCache<GeoFields | typeof NOT_FOUND>(options.cacheSize);
  const asCache = new BoundedCache<AsFields | typeof NOT_FOUND>(options.cacheSize);
  const { geo, asn } = options;
  return {
    geo(ip) {
      if (geo === undefined) return undefined;
      const fields = geoCache.getOrCompute(ip, () => {
        const record = geo.get(ip);
        return (record && geoFields(geo, record)) || NOT_FOUND;
      });
      return fields === NOT_FOUND ? undefined : fields;
    },
    as(ip) {
      if (asn === undefined) return undefined;
      const fields = asCache.getOrCompute(ip, () => {
        const record = asn.get(ip);
        return (record && asFieldsFromRecord(record)) || NOT_FOUND;
      });
      return fields === NOT_FOUND ? undefined : fields;
    },
  };
}

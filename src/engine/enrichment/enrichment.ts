/**
 * The enrichment port: what Elastic's ingest pipeline adds from outside the record (GeoIP and ASN databases, the
 * user-agent regexes). The engine gets lookups, never files: the Lambda, the CLI and the tests decide where the
 * databases come from (src/enrichment/ reads them from disk).
 */

/** `source.geo.*` as Elasticsearch's geoip processor writes it with its default City/Country properties. */
export interface GeoFields {
  readonly city_name?: string;
  readonly continent_name?: string;
  readonly country_iso_code?: string;
  readonly country_name?: string;
  readonly location?: { readonly lat: number; readonly lon: number };
  readonly region_iso_code?: string;
  readonly region_name?: string;
}

/** `source.as.*` after the pipeline's renames (`asn` → `number`, `organization_name` → `organization.name`). */
export interface AsFields {
  readonly number?: number;
  readonly organizationName?: string;
}

/** `user_agent.*` as Elasticsearch's user_agent processor writes it (without `original`, which the record gives). */
export interface UserAgentFields {
  readonly name: string;
  readonly version?: string;
  readonly os?: { readonly name: string; readonly version?: string; readonly full?: string };
  readonly device: { readonly name: string };
}

export interface IpEnrichment {
  /** Undefined when the address is in no geo database, or no field would be set. */
  geo(ip: string): GeoFields | undefined;
  as(ip: string): AsFields | undefined;
}

export interface UserAgentParser {
  parse(userAgent: string): UserAgentFields;
}

/** What normalization may add; each part is optional (absent: those fields are not set). */
export interface Enrichment {
  readonly ip?: IpEnrichment;
  readonly userAgent?: UserAgentParser;
}

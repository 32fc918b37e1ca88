export type { AsFields, Enrichment, GeoFields, IpEnrichment, UserAgentFields, UserAgentParser } from './enrichment';
export { createMmdbIpEnrichment, MmdbDatabase, MmdbDatabaseError, type MmdbSource } from './mmdb-ip-enrichment';
export { compileUserAgentParser, UapRegexesError, type UapRegexes } from './user-agent-parser';

/**
 * What the detector Lambda ships for enrichment (docs/enrichment.md): the GeoIP and ASN databases and uap-core's
 * regexes compiled to JSON, copied into the bundle's `enrichment/` folder at synth time, so the function never
 * touches the network. Defaults are the shipped databases (country + ASN); a user's own GeoLite2/GeoIP2 City or
 * Country and ASN files replace them.
 */
import { resolve } from 'node:path';
import { BUNDLED_ENRICHMENT_FILES, ENRICHMENT_DIRECTORY } from '../lambda/enrichment';
import { compileUserAgentParser } from '../src/engine/enrichment';
import { checkEnrichmentFiles, type EnrichmentFiles } from '../src/enrichment/file-enrichment';
import { defaultEnrichmentFiles, readUapRegexes } from '../src/enrichment/load-enrichment';
import type { DetectorBundleFile } from './constructs/detector-code';

export interface DetectorEnrichmentProps {
  /** Enrich events with GeoIP, ASN and parsed user-agent fields (default true). */
  readonly enabled?: boolean;
  /** Your GeoLite2/GeoIP2 City or Country `.mmdb` for `source.geo.*` (default: the shipped country database). */
  readonly geoDatabase?: string;
  /** Your GeoLite2/GeoIP2 ASN `.mmdb` for `source.as.*` (default: the shipped ASN database). */
  readonly asnDatabase?: string;
}

/** Checks the user's files when the stack is built, so a wrong path fails `cdk synth` with its name. */
export function checkEnrichmentProps(props: DetectorEnrichmentProps, names = { geo: 'geoipDatabase', asn: 'asnDatabase' }): DetectorEnrichmentProps {
  if (props.enabled === false) return props;
  const own = { geoDatabase: props.geoDatabase && resolve(props.geoDatabase), asnDatabase: props.asnDatabase && resolve(props.asnDatabase) };
  checkEnrichmentFiles(own, names);
  return { ...props, ...own };
}

/**
 * The files to ship into the function's package: the databases copied as they are, uap-core's regexes as compiled
 * JSON (checked here, so a broken regexes file fails the synth, not the first event).
 */
export function enrichmentBundleFiles(props: DetectorEnrichmentProps): DetectorBundleFile[] {
  if (props.enabled === false) return [];
  const files = defaultEnrichmentFiles({ geoDatabase: props.geoDatabase, asnDatabase: props.asnDatabase });
  const regexes = readUapRegexes(files.userAgentRegexes);
  compileUserAgentParser(regexes);
  const inBundle = (key: keyof EnrichmentFiles): string => `${ENRICHMENT_DIRECTORY}/${BUNDLED_ENRICHMENT_FILES[key]}`;
  return (Object.keys(BUNDLED_ENRICHMENT_FILES) as (keyof EnrichmentFiles)[]).map((key) =>
    key === 'userAgentRegexes' ? { name: inBundle(key), content: JSON.stringify(regexes) } : { name: inBundle(key), sourcePath: files[key] as string },
  );
}

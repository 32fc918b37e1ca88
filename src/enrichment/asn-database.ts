/**
 * The shipped ASN database. ip-location-db publishes its ASN table (RouteViews, the five RIRs and DB-IP's IP to ASN
 * Lite, CC BY 4.0) on npm only as CSV, so it is converted once into a MaxMind DB file, the format every lookup reads,
 * and kept in a cache keyed by the package version: the CLI builds it on first use, the CDK app at synth time to ship
 * it with the Lambda.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MmdbWriter } from './mmdb-writer';

export const ASN_PACKAGE = '@ip-location-db/asn';
const CSV_FILES = ['asn-ipv4.csv', 'asn-ipv6.csv'];
/** Bumped when the conversion changes, so a cached file from an older conversion is rebuilt. */
const CONVERSION_VERSION = 1;
/** Ends in `-ASN`, the suffix by which Elasticsearch (and our lookup) recognizes an ASN database. */
export const SHIPPED_ASN_DATABASE_TYPE = 'ip-location-db-ASN';

/** One CSV line: start,end,number,"organization" (quotes double embedded quotes). */
function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let index = 0;
  while (index <= line.length) {
    if (line[index] === '"') {
      let value = '';
      index++;
      while (index < line.length) {
        if (line[index] === '"' && line[index + 1] === '"') {
          value += '"';
          index += 2;
        } else if (line[index] === '"') {
          index++;
          break;
        } else {
          value += line[index++];
        }
      }
      fields.push(value);
      index++; // the comma
    } else {
      const comma = line.indexOf(',', index);
      const end = comma < 0 ? line.length : comma;
      fields.push(line.slice(index, end));
      index = end + 1;
    }
  }
  return fields;
}

export function asnPackageDirectory(): string {
  return path.dirname(require.resolve(`${ASN_PACKAGE}/package.json`));
}

export function asnPackageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(asnPackageDirectory(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** Converts the package's CSV files into an MMDB (about 5–7 s and 330 MB of memory for 500,000 ranges). */
export function buildAsnDatabase(directory = asnPackageDirectory(), buildEpoch = Math.floor(Date.now() / 1000)): Buffer {
  const writer = new MmdbWriter();
  for (const file of CSV_FILES) {
    const text = fs.readFileSync(path.join(directory, file), 'utf8');
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const [first, last, number, organization] = parseCsvLine(line);
      const asn = Number(number);
      if (!Number.isInteger(asn) || asn <= 0) continue;
      writer.insertRange(first, last, organization ? { autonomous_system_number: asn, autonomous_system_organization: organization } : { autonomous_system_number: asn });
    }
  }
  return writer.toBuffer({
    databaseType: SHIPPED_ASN_DATABASE_TYPE,
    description: { en: `${ASN_PACKAGE} ${asnPackageVersion()} (RouteViews, NRO, DB-IP; CC BY 4.0)` },
    buildEpoch,
  });
}

/** `<cache>/ip-location-db-asn-<version>-v<conversion>.mmdb`, built (atomically) when absent. */
export function cachedAsnDatabase(cacheDirectory: string): string {
  const file = path.join(cacheDirectory, `ip-location-db-asn-${asnPackageVersion()}-v${CONVERSION_VERSION}.mmdb`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(cacheDirectory, { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, buildAsnDatabase());
  fs.renameSync(temporary, file);
  return file;
}

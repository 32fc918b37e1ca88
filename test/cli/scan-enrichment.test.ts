import { SCAN_COMMAND } from '../../src/cli/args';
import { parseCommandLine } from '../../src/cli/command-line';
import { buildTestDatabase, MAXMIND_TEST_ASN_ENTRIES, MAXMIND_TEST_CITY_ENTRIES } from '../../src/conformance/maxmind-test-databases';
import { startExportTaskRecord } from '../support/cloudtrail-records';
import { runCli, scratchDirectory } from './cli-harness';

const RECORD = JSON.stringify({
  Records: [startExportTaskRecord({ sourceIPAddress: '89.160.20.156', userAgent: 'aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/macos#23.6.0' })],
});

describe('scan enrichment options', () => {
  it('parses --no-enrich, --geoip-database and --asn-database, and refuses to combine them', () => {
    expect(parseCommandLine(SCAN_COMMAND, ['--no-enrich', 'trail'])).toEqual({ kind: 'run', args: { command: 'scan', paths: ['trail'], noEnrich: true } });
    expect(parseCommandLine(SCAN_COMMAND, ['--geoip-database', 'city.mmdb', '--asn-database=asn.mmdb', 'trail'])).toEqual({
      kind: 'run',
      args: { command: 'scan', paths: ['trail'], geoipDatabase: 'city.mmdb', asnDatabase: 'asn.mmdb' },
    });
    expect(parseCommandLine(SCAN_COMMAND, ['--no-enrich', '--asn-database', 'asn.mmdb', 'trail'])).toEqual({
      kind: 'usage-error',
      message: '--no-enrich turns enrichment off: it cannot be combined with --geoip-database or --asn-database',
    });
    expect(parseCommandLine(SCAN_COMMAND, ['--geoip-database'])).toEqual({ kind: 'usage-error', message: '--geoip-database needs FILE' });
  });

  it('enriches by default with the shipped databases, and --no-enrich leaves the fields out', async () => {
    const dir = scratchDirectory({ 'trail.json': RECORD });
    try {
      const enriched = await runCli(['scan', 'trail.json'], dir.path);
      expect(enriched.code).toBe(0);
      expect(enriched.alerts[0].source.as).toEqual({ number: 29518, organization: { name: 'Bredband2 AB' } });
      expect(enriched.alerts[0].source.geo).toEqual({ continent_name: 'Europe', country_iso_code: 'SE', country_name: 'Sweden' });
      expect(enriched.alerts[0].user_agent).toMatchObject({ name: 'aws-cli', version: '2.17.60', device: { name: 'Other' } });
      const raw = await runCli(['scan', '--no-enrich', 'trail.json'], dir.path);
      expect(raw.code).toBe(0);
      expect(raw.alerts[0].source).toEqual({ address: '89.160.20.156', ip: '89.160.20.156' });
      expect(raw.alerts[0].user_agent).toEqual({ original: 'aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/macos#23.6.0' });
    } finally {
      dir.cleanup();
    }
  });

  it("uses the user's own City and ASN databases", async () => {
    const dir = scratchDirectory({
      'trail.json': RECORD,
      'GeoLite2-City.mmdb': buildTestDatabase('GeoLite2-City', MAXMIND_TEST_CITY_ENTRIES),
      'GeoLite2-ASN.mmdb': buildTestDatabase('GeoLite2-ASN', MAXMIND_TEST_ASN_ENTRIES),
    });
    try {
      const run = await runCli(['scan', '--geoip-database', 'GeoLite2-City.mmdb', '--asn-database', 'GeoLite2-ASN.mmdb', 'trail.json'], dir.path);
      expect(run.code).toBe(0);
      expect(run.alerts[0].source.geo).toMatchObject({ city_name: 'Linköping', region_iso_code: 'SE-E', location: { lat: 58.4167, lon: 15.6167 } });
    } finally {
      dir.cleanup();
    }
  });

  it('stops with exit 2 before reading anything when a database is missing or of the wrong kind', async () => {
    const dir = scratchDirectory({ 'trail.json': RECORD, 'asn.mmdb': buildTestDatabase('GeoLite2-ASN', MAXMIND_TEST_ASN_ENTRIES), 'junk.mmdb': 'not a database' });
    try {
      const missing = await runCli(['scan', '--geoip-database', 'nope.mmdb', 'trail.json'], dir.path);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(`--geoip-database: ${dir.path}/nope.mmdb does not exist`);
      expect(missing.stdout).toBe('');
      const wrongKind = await runCli(['scan', '--geoip-database', 'asn.mmdb', 'trail.json'], dir.path);
      expect(wrongKind.stderr).toContain('is a GeoLite2-ASN database; give a City or Country database');
      const junk = await runCli(['scan', '--asn-database', 'junk.mmdb', 'trail.json'], dir.path);
      expect(junk.code).toBe(2);
      expect(junk.stderr).toContain(`--asn-database: ${dir.path}/junk.mmdb is not a readable MaxMind DB file`);
    } finally {
      dir.cleanup();
    }
  });
});

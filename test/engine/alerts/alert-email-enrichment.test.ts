import { join } from 'node:path';
import { buildAlertNotification } from '../../../src/engine/alerts';
import { buildAlert } from '../../../src/engine/alerts/build-alert';
import { normalizeCloudTrail } from '../../../src/engine/ecs';
import { MmdbDatabase, createMmdbIpEnrichment, type Enrichment } from '../../../src/engine/enrichment';
import { compileRules, loadRuleDirectory } from '../../../src/engine/rules';
import { buildTestDatabase } from '../../../src/conformance/maxmind-test-databases';
import { harnessEnrichmentOf } from '../../../src/conformance/pipeline-comparison';
import { startExportTaskRecord } from '../../support/cloudtrail-records';

const [rule] = compileRules(loadRuleDirectory(join(__dirname, '../../../rules')));
const receivedAt = new Date('2026-11-20T03:15:49.250Z');

/** A city and an ASN entry for the documentation address the example uses. */
const enrichment: Enrichment = {
  userAgent: harnessEnrichmentOf().userAgent,
  ip: createMmdbIpEnrichment({
    geo: new MmdbDatabase({
      name: 'city',
      load: () => buildTestDatabase('GeoLite2-City', [['198.51.100.0', 24, {
        city: { names: { en: 'Ashburn' } },
        continent: { code: 'NA', names: { en: 'North America' } },
        country: { iso_code: 'US', names: { en: 'United States' } },
      }]]),
    }),
    asn: new MmdbDatabase({
      name: 'asn',
      load: () => buildTestDatabase('GeoLite2-ASN', [['198.51.100.0', 24, { autonomous_system_number: 16509, autonomous_system_organization: 'Amazon.com, Inc.' }]]),
    }),
  }),
};

/** The e-mail of the rule's alert, built as the detector builds it (normalized with the enrichment, synchronously). */
function email(record: Record<string, unknown>, withEnrichment: Enrichment | null = enrichment): string[] {
  const document = normalizeCloudTrail(record, { receivedAt, enrichment: withEnrichment ?? undefined });
  const detection = { alert: buildAlert(rule.rule, document, { receivedAt }) };
  return (JSON.parse(buildAlertNotification(detection.alert, rule.rule).message) as { email: string }).email.split('\n');
}

/** Lines of one labelled value, wrapped at 78 columns with the value column indented, joined back into one line. */
function unwrapped(lines: readonly string[]): string {
  return lines.map((line) => line.trim()).join(' ').replace(/:\s+/, ': ');
}

const CLI = 'aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/macos#23.6.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython';

describe('e-mail with enrichment', () => {
  it('says who owns the source address and where it is', () => {
    const lines = email(startExportTaskRecord({ sourceIPAddress: '198.51.100.201', userAgent: CLI }));
    expect(lines).toContain('Source IP:     198.51.100.201 (AS16509 Amazon.com, Inc.; Ashburn, US)');
  });

  it('names the tool, version and platform, and keeps the raw user agent below it', () => {
    const lines = email(startExportTaskRecord({ sourceIPAddress: '198.51.100.201', userAgent: CLI }));
    const at = lines.indexOf('User agent:    aws-cli 2.17 on macOS');
    expect(at).toBeGreaterThan(0);
    // The raw string right below, wrapped at 78 columns under its label.
    expect(unwrapped(lines.slice(at + 1, at + 3))).toBe(`Agent string: ${CLI}`);
  });

  it('uses the parsed operating system when uap-core finds one', () => {
    const lines = email(startExportTaskRecord({ userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:136.0) Gecko/20100101 Firefox/136.0' }));
    expect(lines).toContain('User agent:    Firefox 136.0 on Windows');
  });

  it('shows the bare address and raw agent when nothing is known about them', () => {
    const lines = email(startExportTaskRecord({ sourceIPAddress: '203.0.113.24', userAgent: 'ec2.amazonaws.com' }));
    expect(lines).toContain('Source IP:     203.0.113.24');
    expect(lines).toContain('User agent:    ec2.amazonaws.com');
    const bare = email(startExportTaskRecord({ sourceIPAddress: '198.51.100.201', userAgent: CLI }), null);
    expect(bare).toContain('Source IP:     198.51.100.201');
    const at = bare.findIndex((line) => line.startsWith('User agent:'));
    expect(unwrapped(bare.slice(at, at + 2))).toBe(`User agent: ${CLI}`);
    expect(bare.some((line) => line.startsWith('Agent string:'))).toBe(false);
  });
});

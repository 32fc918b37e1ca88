import { normalizeCloudTrail } from '../../../src/engine/ecs';
import type { Enrichment } from '../../../src/engine/enrichment';
import { harnessEnrichmentOf } from '../../../src/conformance/pipeline-comparison';
import { startExportTaskRecord } from '../../support/cloudtrail-records';

const receivedAt = new Date('2026-11-20T03:16:00Z');

describe('normalization with enrichment', () => {
  const enrichment = harnessEnrichmentOf();

  it('looks up source.ip and parses the user agent', () => {
    const doc = normalizeCloudTrail(startExportTaskRecord({ sourceIPAddress: '89.160.20.156' }), { receivedAt, enrichment }) as any;
    expect(doc.source.as).toEqual({ number: 29518, organization: { name: 'Bredband2 AB' } });
    expect(doc.source.geo).toMatchObject({ city_name: 'Linköping', country_iso_code: 'SE', region_iso_code: 'SE-E' });
    expect(doc.user_agent).toEqual({
      original: 'aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.amzn.2023 prompt/off command/rds.start-export-task',
      name: 'aws-cli',
      version: '2.15.30',
      os: { name: 'Linux', version: '6.1', full: 'Linux 6.1' },
      device: { name: 'Other' },
    });
  });

  it('does not look up service host names or "AWS Internal", as Elastic converts only real addresses', () => {
    const calls: string[] = [];
    const spy: Enrichment = { ip: { geo: (ip) => (calls.push(ip), undefined), as: (ip) => (calls.push(ip), undefined) } };
    for (const address of ['ec2.amazonaws.com', 'AWS Internal', '1.2.3.4, 10.0.0.1']) {
      const doc = normalizeCloudTrail(startExportTaskRecord({ sourceIPAddress: address }), { receivedAt, enrichment: spy }) as any;
      expect(doc.source).toEqual({ address });
    }
    expect(calls).toEqual([]);
  });

  it('leaves geo and AS out for an address in no database, and gives each document its own copies', () => {
    const outside = normalizeCloudTrail(startExportTaskRecord({ sourceIPAddress: '198.51.100.201' }), { receivedAt, enrichment }) as any;
    expect(outside.source).toEqual({ address: '198.51.100.201', ip: '198.51.100.201' });
    const first = normalizeCloudTrail(startExportTaskRecord({ sourceIPAddress: '81.2.69.144' }), { receivedAt, enrichment }) as any;
    first.source.geo.location.lat = 0;
    first.user_agent.device.name = 'changed';
    const second = normalizeCloudTrail(startExportTaskRecord({ sourceIPAddress: '81.2.69.144' }), { receivedAt, enrichment }) as any;
    expect(second.source.geo.location).toEqual({ lat: 51.5142, lon: -0.0931 });
    expect(second.user_agent.device.name).toBe('Other');
  });
});

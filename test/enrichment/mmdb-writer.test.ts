import fc from 'fast-check';
import { Reader } from 'mmdb-lib';
import { ipBytes, MmdbWriter, rangeToPrefixes } from '../../src/enrichment/mmdb-writer';

function read(writer: MmdbWriter): Reader<Record<string, unknown>> {
  return new Reader<Record<string, unknown>>(writer.toBuffer({ databaseType: 'Test-ASN', description: { en: 'test' }, buildEpoch: 1 }));
}

describe('MmdbWriter', () => {
  it('writes a database mmdb-lib reads back: networks, ranges, IPv6, nested records, metadata', () => {
    const writer = new MmdbWriter();
    writer.insertNetwork('89.160.0.0', 17, { autonomous_system_number: 29518, autonomous_system_organization: 'Bredband2 AB' });
    writer.insertRange('1.0.0.0', '1.0.0.255', { n: 1 });
    writer.insertRange('2001:db8::', '2001:db8::ffff', { n: 6 });
    writer.insertNetwork('81.2.69.144', 28, { location: { latitude: 51.5142, longitude: -0.0931 }, subdivisions: [{ iso_code: 'ENG' }], ok: true, neg: -3 });
    const reader = read(writer);
    expect(reader.metadata.databaseType).toBe('Test-ASN');
    expect(reader.metadata.ipVersion).toBe(6);
    expect(reader.getWithPrefixLength('89.160.20.156')).toEqual([{ autonomous_system_number: 29518, autonomous_system_organization: 'Bredband2 AB' }, 17]);
    expect(reader.get('89.160.128.0')).toBeNull();
    expect(reader.get('1.0.0.200')).toEqual({ n: 1 });
    expect(reader.get('1.0.1.0')).toBeNull();
    expect(reader.get('2001:db8::10')).toEqual({ n: 6 });
    expect(reader.get('81.2.69.150')).toEqual({ location: { latitude: 51.5142, longitude: -0.0931 }, subdivisions: [{ iso_code: 'ENG' }], ok: true, neg: -3 });
  });

  it('covers a range exactly with CIDR blocks', () => {
    expect(rangeToPrefixes(ipBytes('81.2.69.142'), ipBytes('81.2.69.207')).map((prefix) => prefix.prefixLength - 96)).toEqual([31, 28, 27, 28]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 5000 }), (start, length) => {
        const end = Math.min(2 ** 32 - 1, start + length);
        const text = (value: number) => [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
        const writer = new MmdbWriter();
        writer.insertRange(text(start), text(end), { in: true });
        const reader = read(writer);
        for (const probe of [start, end, Math.floor((start + end) / 2)]) expect(reader.get(text(probe))).toEqual({ in: true });
        if (start > 0) expect(reader.get(text(start - 1))).toBeNull();
        if (end < 2 ** 32 - 1) expect(reader.get(text(end + 1))).toBeNull();
      }),
      { numRuns: 100 },
    );
  });

  it('parses IPv6 forms, including an embedded IPv4 address', () => {
    expect(Buffer.from(ipBytes('::ffff:1.2.3.4')).toString('hex')).toBe('00000000000000000000ffff01020304');
    expect(Buffer.from(ipBytes('2001:db8::1')).toString('hex')).toBe('20010db8000000000000000000000001');
    expect(() => ipBytes('not-an-ip')).toThrow('not an IP address');
  });
});

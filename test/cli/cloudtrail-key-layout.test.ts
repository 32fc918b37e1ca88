import {
  coverDateRange,
  keyMatchesFilters,
  parseCloudTrailKey,
  planListPrefixes,
  skippedKeyKind,
  type KeyFilters,
} from '../../src/cli/s3/cloudtrail-key-layout';
import { parseS3Url } from '../../src/cli/s3/s3-url';

/** A fake bucket: folder listing from a key list, recording every listed prefix. */
function fakeBucket(keys: readonly string[]) {
  const listed: string[] = [];
  const listFolders = async function* (prefix: string): AsyncGenerator<string> {
    listed.push(prefix);
    const folders = new Set<string>();
    for (const key of [...keys].sort()) {
      if (!key.startsWith(prefix)) continue;
      const slash = key.indexOf('/', prefix.length);
      if (slash !== -1) folders.add(key.slice(0, slash + 1));
    }
    yield* folders;
  };
  return { listed, listFolders };
}

const KEYS = [
  'AWSLogs/111111111111/CloudTrail/us-east-1/2026/11/20/a.json.gz',
  'AWSLogs/111111111111/CloudTrail/eu-west-1/2026/11/19/a.json.gz',
  'AWSLogs/111111111111/CloudTrail-Digest/us-east-1/2026/11/20/d.json.gz',
  'AWSLogs/111111111111/elasticloadbalancing/us-east-1/2026/11/20/x.log.gz',
  'AWSLogs/o-a1b2c3d4e5/222222222222/CloudTrail/us-east-1/2026/11/20/b.json.gz',
  'AWSLogs/o-a1b2c3d4e5/333333333333/CloudTrail/ap-south-1/2026/11/20/c.json.gz',
];

async function plan(prefix: string, filters: KeyFilters, keys = KEYS, today = '2026-11-26') {
  const bucket = fakeBucket(keys);
  const prefixes: string[] = [];
  for await (const p of planListPrefixes(prefix, filters, bucket.listFolders, today)) prefixes.push(p);
  return { prefixes, folderListings: bucket.listed };
}

describe('coverDateRange', () => {
  it('uses day folders for a short range', () => {
    expect(coverDateRange('2026-11-19', '2026-11-21')).toEqual(['2026/11/19/', '2026/11/20/', '2026/11/21/']);
  });

  it('collapses whole months and years, crossing month and year ends', () => {
    expect(coverDateRange('2024-12-30', '2026-03-02')).toEqual([
      '2024/12/30/', '2024/12/31/', '2025/', '2026/01/', '2026/02/', '2026/03/01/', '2026/03/02/',
    ]);
  });

  it('handles leap days and a single day', () => {
    expect(coverDateRange('2028-02-01', '2028-02-29')).toEqual(['2028/02/']);
    expect(coverDateRange('2028-02-28', '2028-03-01')).toEqual(['2028/02/28/', '2028/02/29/', '2028/03/01/']);
    expect(coverDateRange('2026-11-20', '2026-11-20')).toEqual(['2026/11/20/']);
    expect(coverDateRange('2026-11-21', '2026-11-20')).toEqual([]);
  });
});

describe('planListPrefixes', () => {
  it('without filters: lists account and organization folders, then every region, never digests or other services', async () => {
    const { prefixes, folderListings } = await plan('AWSLogs/', {});
    expect(prefixes).toEqual([
      'AWSLogs/111111111111/CloudTrail/eu-west-1/',
      'AWSLogs/111111111111/CloudTrail/us-east-1/',
      'AWSLogs/o-a1b2c3d4e5/222222222222/CloudTrail/us-east-1/',
      'AWSLogs/o-a1b2c3d4e5/333333333333/CloudTrail/ap-south-1/',
    ]);
    expect(folderListings).toEqual([
      'AWSLogs/',
      'AWSLogs/111111111111/CloudTrail/',
      'AWSLogs/o-a1b2c3d4e5/',
      'AWSLogs/o-a1b2c3d4e5/222222222222/CloudTrail/',
      'AWSLogs/o-a1b2c3d4e5/333333333333/CloudTrail/',
    ]);
  });

  it('with --accounts, --regions and dates: only the wanted day folders, regions not even listed', async () => {
    const { prefixes, folderListings } = await plan('AWSLogs/', {
      accounts: ['222222222222', '111111111111'],
      regions: ['us-east-1'],
      since: '2026-11-19',
      until: '2026-11-20',
    });
    expect(prefixes).toEqual([
      'AWSLogs/111111111111/CloudTrail/us-east-1/2026/11/19/',
      'AWSLogs/111111111111/CloudTrail/us-east-1/2026/11/20/',
      'AWSLogs/o-a1b2c3d4e5/222222222222/CloudTrail/us-east-1/2026/11/19/',
      'AWSLogs/o-a1b2c3d4e5/222222222222/CloudTrail/us-east-1/2026/11/20/',
    ]);
    expect(folderListings).toEqual(['AWSLogs/', 'AWSLogs/o-a1b2c3d4e5/']);
  });

  it('an open --since ends today; an open --until starts in 2013', async () => {
    expect((await plan('AWSLogs/111111111111/CloudTrail/us-east-1/', { since: '2026-11-25' })).prefixes).toEqual([
      'AWSLogs/111111111111/CloudTrail/us-east-1/2026/11/25/',
      'AWSLogs/111111111111/CloudTrail/us-east-1/2026/11/26/',
    ]);
    const { prefixes } = await plan('AWSLogs/111111111111/CloudTrail/us-east-1/', { until: '2014-01-31' });
    expect(prefixes).toEqual(['AWSLogs/111111111111/CloudTrail/us-east-1/2013/', 'AWSLogs/111111111111/CloudTrail/us-east-1/2014/01/']);
  });

  it('starts from a deeper prefix, clipping the range to that folder', async () => {
    expect((await plan('AWSLogs/111111111111/CloudTrail/us-east-1/2026/11', { since: '2026-11-29', until: '2026-12-02' })).prefixes).toEqual([
      'AWSLogs/111111111111/CloudTrail/us-east-1/2026/11/29/',
      'AWSLogs/111111111111/CloudTrail/us-east-1/2026/11/30/',
    ]);
    expect((await plan('AWSLogs/111111111111/CloudTrail/us-east-1/', { regions: ['eu-west-1'] })).prefixes).toEqual([]);
    expect((await plan('AWSLogs/o-a1b2c3d4e5/', { accounts: ['111111111111'] })).prefixes).toEqual([]);
    expect((await plan('AWSLogs/111111111111/CloudTrail-Digest/', {})).prefixes).toEqual([]);
  });

  it('finds AWSLogs/ below the bucket root or a trail prefix; an unknown layout is listed as is', async () => {
    const keys = KEYS.map((key) => `trails/${key}`);
    const { prefixes } = await plan('trails/', { accounts: ['333333333333'] }, keys);
    expect(prefixes).toEqual(['trails/AWSLogs/o-a1b2c3d4e5/333333333333/CloudTrail/ap-south-1/']);
    expect((await plan('', {})).prefixes).toHaveLength(4);
    expect((await plan('exports/', {}, ['exports/a.json'])).prefixes).toEqual(['exports/']);
    expect((await plan('AWSLogs/1111', {})).prefixes).toEqual(['AWSLogs/1111']);
  });
});

describe('keys', () => {
  it('parses single-account and organization keys', () => {
    expect(parseCloudTrailKey(KEYS[0] as string)).toEqual({ account: '111111111111', region: 'us-east-1', date: '2026-11-20' });
    expect(parseCloudTrailKey(KEYS[4] as string)).toEqual({ organization: 'o-a1b2c3d4e5', account: '222222222222', region: 'us-east-1', date: '2026-11-20' });
    expect(parseCloudTrailKey('exports/a.json')).toBeUndefined();
  });

  it('skips digest and Insight keys and filters the rest', () => {
    expect(skippedKeyKind(KEYS[2] as string)).toBe('digest');
    expect(skippedKeyKind('AWSLogs/1/CloudTrail-Insight/us-east-1/x')).toBe('insight');
    expect(skippedKeyKind(KEYS[0] as string)).toBeUndefined();
    expect(keyMatchesFilters(KEYS[0] as string, { since: '2026-11-20', regions: ['us-east-1'] })).toBe(true);
    expect(keyMatchesFilters(KEYS[1] as string, { since: '2026-11-20' })).toBe(false);
    expect(keyMatchesFilters('exports/a.json', {})).toBe(true);
    expect(keyMatchesFilters('exports/a.json', { accounts: ['111111111111'] })).toBe(false);
  });

  it('parses s3:// URLs', () => {
    expect(parseS3Url('s3://trail/AWSLogs/')).toEqual({ bucket: 'trail', prefix: 'AWSLogs/' });
    expect(parseS3Url('s3://trail')).toEqual({ bucket: 'trail', prefix: '' });
    expect(parseS3Url('s3:///x')).toHaveProperty('error');
  });
});

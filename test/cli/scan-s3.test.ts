import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setEnvironment } from '../support/environment';
import { startLocalS3, type LocalS3 } from '../support/local-s3';
import { CLI, REPO_ROOT, eventIds, parseAlerts, runCli, scratchDirectory } from './cli-harness';
import { localS3Environment, ORGANIZATION, startCountingProxy, syntheticTrail, uploadObjects } from './s3-trail-fixture';

jest.setTimeout(60_000);

const BUCKET = 'trail-archive';
const trail = syntheticTrail();
let s3: LocalS3;
let proxy: Awaited<ReturnType<typeof startCountingProxy>>;
let disk: { path: string; cleanup: () => void };
let restoreEnvironment: () => void;

const s3Environment = localS3Environment;

beforeAll(async () => {
  s3 = await startLocalS3(BUCKET);
  await uploadObjects(s3.endpoint, BUCKET, trail.objects);
  proxy = await startCountingProxy(s3.endpoint, { folders: { bucket: BUCKET, listKeys: (prefix) => s3.listObjects(prefix) } });
  restoreEnvironment = setEnvironment(s3Environment(proxy.endpoint));
  // The same files on disk, minus the Insight object (a disk scan would read it; S3 pruning never lists it).
  disk = scratchDirectory(Object.fromEntries(Object.entries(trail.objects).filter(([key]) => !key.includes('CloudTrail-Insight/'))));
});

afterAll(async () => {
  restoreEnvironment();
  disk.cleanup();
  await proxy.stop();
  await s3.stop();
});

beforeEach(() => {
  proxy.requests.length = 0;
});

/** The alert documents with the run's own instant (@timestamp, event.created, event.ingested) blanked: it differs per run. */
const comparable = (stdout: string) =>
  parseAlerts(stdout).map((alert) => JSON.parse(JSON.stringify(alert).split(alert['@timestamp'] as string).join('<run time>')));
const listedPrefixes = () => proxy.listRequests().map((r) => `${r.query.get('prefix') ?? ''}${r.query.has('delimiter') ? ' (folders)' : ''}`);
const fetchedKeys = () => proxy.getRequests().map((r) => r.path.slice(`/${BUCKET}/`.length));

describe('scan s3://bucket/AWSLogs/', () => {
  it('gives exactly the alerts a scan of the same files on disk gives, in the same order', async () => {
    const fromDisk = await runCli(['scan', join(disk.path, 'AWSLogs')]);
    const fromS3 = await runCli(['scan', `s3://${BUCKET}/AWSLogs/`]);
    expect(fromDisk.code).toBe(0);
    expect(fromS3.code).toBe(0);
    expect(eventIds(fromS3)).toEqual(trail.alertIds().sort());
    expect(comparable(fromS3.stdout)).toEqual(comparable(fromDisk.stdout));
    expect(fromDisk.stderr).toBe('scanned 33 files with 1 rule: 66 records, 11 digests skipped, 22 alerts, 0 errors\n');
    // Digest and Insight folders are never listed, so nothing of them is fetched either.
    expect(fromS3.stderr).toBe(
      'scanned 22 files with 1 rule: 66 records, 22 alerts, 0 errors; S3: 22 objects listed in 13 list requests, 22 fetched (' +
        fromS3.stderr.split('fetched (')[1],
    );
    expect(fromS3.stderr).toMatch(/^scanned 22 files .*22 objects listed in 13 list requests, 22 fetched \(\d+\.\d KB\)\n$/);
    expect(fetchedKeys()).toHaveLength(22);
    expect(fetchedKeys().filter((key) => /CloudTrail-(Digest|Insight)\//.test(key))).toEqual([]);
    expect(listedPrefixes()).toEqual([
      'AWSLogs/ (folders)',
      'AWSLogs/111111111111/CloudTrail/ (folders)',
      'AWSLogs/111111111111/CloudTrail/eu-west-1/',
      'AWSLogs/111111111111/CloudTrail/us-east-1/',
      'AWSLogs/222222222222/CloudTrail/ (folders)',
      'AWSLogs/222222222222/CloudTrail/ap-southeast-2/',
      'AWSLogs/222222222222/CloudTrail/us-east-1/',
      `AWSLogs/${ORGANIZATION}/ (folders)`,
      `AWSLogs/${ORGANIZATION}/333333333333/CloudTrail/ (folders)`,
      `AWSLogs/${ORGANIZATION}/333333333333/CloudTrail/us-east-1/`,
      `AWSLogs/${ORGANIZATION}/333333333333/CloudTrail/us-west-2/`,
      `AWSLogs/${ORGANIZATION}/444444444444/CloudTrail/ (folders)`,
      `AWSLogs/${ORGANIZATION}/444444444444/CloudTrail/eu-west-1/`,
    ]);
  });

  it('reads the same from the bucket root and with any --concurrency, and keeps listing order', async () => {
    const root = await runCli(['scan', `s3://${BUCKET}`]);
    const serial = await runCli(['scan', '--concurrency', '1', `s3://${BUCKET}/AWSLogs`]);
    expect(root.code).toBe(0);
    expect(eventIds(root)).toEqual(trail.alertIds().sort());
    expect(comparable(serial.stdout)).toEqual(comparable(root.stdout));
  });

  it('reads at most --concurrency objects at once', async () => {
    const slow = await startCountingProxy(s3.endpoint, { delayMs: 40, folders: { bucket: BUCKET, listKeys: (prefix) => s3.listObjects(prefix) } });
    const restore = setEnvironment({ AWS_ENDPOINT_URL_S3: slow.endpoint });
    try {
      const run = await runCli(['scan', '--concurrency', '3', `s3://${BUCKET}/AWSLogs/`]);
      expect(eventIds(run)).toEqual(trail.alertIds().sort());
      expect(slow.maxConcurrentGets()).toBeLessThanOrEqual(3);
      expect(slow.maxConcurrentGets()).toBeGreaterThanOrEqual(2);
    } finally {
      restore();
      await slow.stop();
    }
  });
});

describe('scan s3:// pruning by key prefix', () => {
  it('--since/--until/--accounts/--regions list only the wanted day folders, across account and organization layouts', async () => {
    const run = await runCli([
      'scan',
      '--since', '2026-11-19',
      '--until', '2026-11-20',
      '--accounts', '111111111111,333333333333',
      '--regions', 'us-east-1,eu-west-1',
      `s3://${BUCKET}/AWSLogs/`,
    ]);
    expect(run.code).toBe(0);
    const wanted = trail.alertIds(
      (f) => ['111111111111', '333333333333'].includes(f.account) && ['us-east-1', 'eu-west-1'].includes(f.region) && f.day >= '2026-11-19' && f.day <= '2026-11-20',
    );
    expect(wanted).toHaveLength(8);
    expect(eventIds(run)).toEqual(wanted.sort());
    expect(listedPrefixes()).toEqual([
      'AWSLogs/ (folders)',
      'AWSLogs/111111111111/CloudTrail/eu-west-1/2026/11/19/',
      'AWSLogs/111111111111/CloudTrail/eu-west-1/2026/11/20/',
      'AWSLogs/111111111111/CloudTrail/us-east-1/2026/11/19/',
      'AWSLogs/111111111111/CloudTrail/us-east-1/2026/11/20/',
      `AWSLogs/${ORGANIZATION}/ (folders)`,
      `AWSLogs/${ORGANIZATION}/333333333333/CloudTrail/eu-west-1/2026/11/19/`,
      `AWSLogs/${ORGANIZATION}/333333333333/CloudTrail/eu-west-1/2026/11/20/`,
      `AWSLogs/${ORGANIZATION}/333333333333/CloudTrail/us-east-1/2026/11/19/`,
      `AWSLogs/${ORGANIZATION}/333333333333/CloudTrail/us-east-1/2026/11/20/`,
    ]);
    expect(fetchedKeys()).toHaveLength(8);
    expect(run.stderr).toMatch(/^scanned 8 files with 1 rule: 24 records, 8 alerts, 0 errors; S3: 8 objects listed in 10 list requests, 8 fetched /);
  });

  it('--since alone lists whole months and years up to today, nothing before', async () => {
    const run = await runCli(['scan', '--since', '2026-11-20', '--regions', 'us-east-1', `s3://${BUCKET}/AWSLogs/222222222222/`]);
    expect(eventIds(run)).toEqual(trail.alertIds((f) => f.account === '222222222222' && f.region === 'us-east-1'));
    const prefixes = listedPrefixes();
    expect(prefixes[0]).toBe('AWSLogs/222222222222/CloudTrail/us-east-1/2026/11/20/');
    expect(prefixes.every((prefix) => prefix >= 'AWSLogs/222222222222/CloudTrail/us-east-1/2026/11/20/')).toBe(true);
    expect(run.stderr).toContain('; S3: 2 objects listed in');
  });

  it('--until alone starts at 2013 in whole years, so old days stay a few requests', async () => {
    const run = await runCli(['scan', '--until', '2026-10-31', `s3://${BUCKET}/AWSLogs/${ORGANIZATION}/444444444444/CloudTrail/eu-west-1/`]);
    expect(eventIds(run)).toEqual(trail.alertIds((f) => f.account === '444444444444' && f.day === '2026-10-31'));
    expect(listedPrefixes()).toEqual([
      ...Array.from({ length: 13 }, (_, i) => `AWSLogs/${ORGANIZATION}/444444444444/CloudTrail/eu-west-1/${2013 + i}/`),
      `AWSLogs/${ORGANIZATION}/444444444444/CloudTrail/eu-west-1/2026/01/`,
      ...['02', '03', '04', '05', '06', '07', '08', '09', '10'].map((m) => `AWSLogs/${ORGANIZATION}/444444444444/CloudTrail/eu-west-1/2026/${m}/`),
    ]);
  });

  it('mixes local paths and S3 locations, in argument order', async () => {
    const local = scratchDirectory({ 'extra.json': JSON.stringify({ Records: [JSON.parse(parseAlerts((await runCli(['scan', join(disk.path, 'AWSLogs', '222222222222', 'CloudTrail', 'us-east-1')])).stdout)[0]!.event.original)] }) });
    try {
      const run = await runCli(['scan', `s3://${BUCKET}/AWSLogs/222222222222/CloudTrail/us-east-1/2026/11/20/`, join(local.path, 'extra.json')]);
      expect(run.code).toBe(0);
      // The local file repeats an event already seen in S3: deduplicated across both kinds of input.
      expect(eventIds(run)).toEqual(trail.alertIds((f) => f.account === '222222222222' && f.region === 'us-east-1'));
      expect(run.stderr).toMatch(/^scanned 3 files .* \(1 repeat suppressed\), 0 errors; S3: 2 objects listed in 1 list request, 2 fetched/);
    } finally {
      local.cleanup();
    }
  });
});

describe('scan s3:// errors', () => {
  it('names bucket and prefix for a bucket that does not exist, exit 1', async () => {
    const run = await runCli(['scan', 's3://no-such-trail-bucket/AWSLogs/', join(REPO_ROOT, 'samples', 'trail')]);
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toBe("s3://no-such-trail-bucket/AWSLogs/: no such bucket 'no-such-trail-bucket' (NoSuchBucket)");
    expect(run.alerts).toHaveLength(3); // the local samples were still scanned
  });

  it('says the credentials were rejected, in one line', async () => {
    const restore = setEnvironment({ AWS_ACCESS_KEY_ID: 'AKIAWRONGWRONGWRONG0', AWS_MAX_ATTEMPTS: '1' });
    try {
      const run = await runCli(['scan', `s3://${BUCKET}/AWSLogs/`]);
      expect(run.code).toBe(1);
      expect(run.stderr.split('\n')[0]).toBe(`s3://${BUCKET}/AWSLogs/: the AWS credentials were rejected (InvalidAccessKeyId)`);
    } finally {
      restore();
    }
  });

  it('rejects a malformed s3:// location as a usage error', async () => {
    const run = await runCli(['scan', 's3:///AWSLogs']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("not an S3 location: 's3:///AWSLogs'");
  });
});

describe('scan s3:// Ctrl-C', () => {
  it('stops cleanly on SIGINT: aborts the reads in flight, prints what was read, exits 130', async () => {
    const slow = await startCountingProxy(s3.endpoint, { delayMs: 400, folders: { bucket: BUCKET, listKeys: (prefix) => s3.listObjects(prefix) } });
    try {
      const child = spawn(process.execPath, [CLI, 'scan', '--concurrency', '2', `s3://${BUCKET}/AWSLogs/`], {
        cwd: REPO_ROOT,
        env: { ...process.env, ...s3Environment(slow.endpoint) },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const startedAt = Date.now();
      while (parseAlerts(stdout).length < 2 && Date.now() - startedAt < 30_000) await new Promise((r) => setTimeout(r, 20));
      child.kill('SIGINT');
      const code = await exited;
      expect(code).toBe(130);
      const alerts = parseAlerts(stdout).length;
      expect(alerts).toBeGreaterThanOrEqual(2);
      expect(alerts).toBeLessThan(22);
      const summary = stderr.trim().split('\n').pop() ?? '';
      expect(summary).toMatch(new RegExp(`^scanned \\d+ files with 1 rule: .*${alerts} alerts?, 0 errors; S3: .*; interrupted$`));
      expect(stderr).not.toMatch(/AbortError|at /);
    } finally {
      await slow.stop();
    }
  });
});

describe('the AWS SDK Node.js version notice', () => {
  it('is shown at most once per run of the real executable (once on Node.js < 22), however many S3 locations', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...s3Environment(proxy.endpoint) };
    delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED; // the test run turns the SDK's own notice off
    const locations = ['111111111111', '222222222222'].map((account) => `s3://${BUCKET}/AWSLogs/${account}/`);
    // Not spawnSync: the local S3 answers from this process, which must keep running.
    const child = spawn(process.execPath, [CLI, 'scan', ...locations], { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const run = { status, stderr };
    expect(run.status).toBe(0);
    const notices = run.stderr.match(/NodeVersionSupportWarning/g)?.length ?? 0;
    expect(notices).toBe(Number(process.versions.node.split('.')[0]) < 22 ? 1 : 0);
    expect(run.stderr.trimEnd().split('\n').pop()).toMatch(/^scanned \d+ files with 1 rule: .* 0 errors; S3: /);
  });
});

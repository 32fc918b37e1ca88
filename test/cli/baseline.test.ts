import { gzipSync } from 'node:zlib';
import { DynamoDbStateStore } from '../../src/dynamodb/dynamodb-state-store';
import { createDetector } from '../../src/engine/detector';
import { compileRules } from '../../src/engine/rules';
import { readBaselineCoverage } from '../../src/engine/stateful';
import { ACCOUNT } from '../support/cloudtrail-records';
import { setEnvironment } from '../support/environment';
import { startLocalDynamoDb, type LocalDynamoDb } from '../support/local-dynamodb';
import { startLocalS3, type LocalS3 } from '../support/local-s3';
import { createKeyPairRecord, NEW_KEY_PAIR_RULE_ID, NEW_KEY_PAIR_TOML, newKeyPairRule, ROOT_BRUTE_FORCE_TOML } from '../support/stateful-fixtures';
import { runCli, scratchDirectory } from './cli-harness';
import { localS3Environment, startCountingProxy, uploadObjects } from './s3-trail-fixture';

/**
 * `baseline` against a trail bucket (s3rver) and the detector's state table (dynalite): it fills the table with the
 * archive's sightings, and the detector then finds only real first sightings, with a complete baseline.
 */

jest.setTimeout(60_000);

const BUCKET = 'baseline-trail';
const DAY = 86_400_000;
/** Days relative to today: the table judges expiry by the wall clock, as DynamoDB's TTL does. */
const today = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
const dayOf = (offset: number): string => new Date(today + offset * DAY).toISOString().slice(0, 10);
const timeOf = (offset: number, hour: number): string => new Date(today + offset * DAY + hour * 3_600_000).toISOString().replace('.000Z', 'Z');

function logObject(offset: number, records: Record<string, unknown>[]): [string, Uint8Array] {
  const [y, m, d] = dayOf(offset).split('-');
  const key = `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/${y}/${m}/${d}/${ACCOUNT}_CloudTrail_us-east-1_${y}${m}${d}T0100Z_baseline${offset + 10}.json.gz`;
  return [key, gzipSync(JSON.stringify({ Records: records }))];
}

let s3: LocalS3;
let proxy: Awaited<ReturnType<typeof startCountingProxy>>;
let dynamo: LocalDynamoDb;
let rules: { path: string; cleanup: () => void };
let restore: () => void;

beforeAll(async () => {
  [s3, dynamo] = await Promise.all([startLocalS3(BUCKET), startLocalDynamoDb()]);
  await uploadObjects(
    s3.endpoint,
    BUCKET,
    Object.fromEntries([
      // Outside --since: not read.
      logObject(-9, [createKeyPairRecord('old', timeOf(-9, 1), 'carol')]),
      logObject(-3, [createKeyPairRecord('a1', timeOf(-3, 1), 'alice'), createKeyPairRecord('b1', timeOf(-3, 2), 'bob')]),
      logObject(-1, [createKeyPairRecord('a2', timeOf(-1, 1), 'alice')]),
    ]),
  );
  // s3rver lists folders wrongly below the first level; the proxy answers delimiter listings as S3 does.
  proxy = await startCountingProxy(s3.endpoint, { folders: { bucket: BUCKET, listKeys: (prefix) => s3.listObjects(prefix) } });
  rules = scratchDirectory({ 'new_key_pair.toml': NEW_KEY_PAIR_TOML, 'root_brute_force.toml': ROOT_BRUTE_FORCE_TOML });
  restore = setEnvironment({ ...localS3Environment(proxy.endpoint), AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint });
});

afterAll(async () => {
  restore();
  rules.cleanup();
  await proxy.stop();
  await Promise.all([s3.stop(), dynamo.stop()]);
});

describe('baseline', () => {
  it('fills the state table from the archive; the detector then alerts on real first sightings only, with a complete baseline', async () => {
    const table = await dynamo.createStateTable();
    const run = await runCli(['baseline', '--quiet', '--table', table, '--rules', rules.path, '--since', dayOf(-7), `s3://${BUCKET}/AWSLogs/`]);
    expect(run.stdout).toBe('');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      new RegExp(`with 1 rule: 3 records, .*; baseline: 2 term\\(s\\) of 1 new_terms rule\\(s\\) merged into table ${table} \\(2 written\\), history from ${dayOf(-7)}T00:00:00\\.000Z\\n$`),
    );
    const store = new DynamoDbStateStore({ client: dynamo.client, tableName: table });
    expect(await readBaselineCoverage(store)).toEqual({ [NEW_KEY_PAIR_RULE_ID]: today - 7 * DAY });

    // The detector as the Lambda runs it, on the same table.
    const detector = createDetector(compileRules([newKeyPairRule()]), { state: store });
    const receivedAt = new Date();
    expect(await detector.detect(createKeyPairRecord('live-a', timeOf(0, 0.5), 'alice'), { receivedAt })).toEqual([]);
    const [carol] = await detector.detect(createKeyPairRecord('live-c', timeOf(0, 0.5), 'carol'), { receivedAt });
    expect((carol?.alert as any).kibana.alert.new_terms).toEqual([ACCOUNT, 'carol']);
    expect((carol?.alert as any).kibana.alert.new_terms_baseline).toBeUndefined();
  });

  it('adds only what is new when run again, and never alerts', async () => {
    const table = await dynamo.createStateTable();
    const args = ['baseline', '--quiet', '--table', table, '--rules', rules.path, '--since', dayOf(-7), `s3://${BUCKET}/AWSLogs/`];
    await runCli(args);
    const again = await runCli(args);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('2 term(s) of 1 new_terms rule(s) merged into table');
    expect(again.stderr).toContain('(0 written)');
  });

  it('needs a table and a new_terms rule, and says so', async () => {
    const noTable = await runCli(['baseline', `s3://${BUCKET}/AWSLogs/`]);
    expect(noTable.code).toBe(2);
    expect(noTable.stderr).toContain('baseline needs --table NAME (or STATE_TABLE_NAME)');
    const noRule = await runCli(['baseline', '--table', 'x-table', `s3://${BUCKET}/AWSLogs/`]);
    expect(noRule.code).toBe(2);
    expect(noRule.stderr).toContain('no new_terms rule here: a baseline is their history');
  });

  it('an unreachable table fails the run with the table named, exit status 1', async () => {
    const run = await runCli(['baseline', '--quiet', '--table', 'no-such-table', '--rules', rules.path, '--since', dayOf(-7), `s3://${BUCKET}/AWSLogs/`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot write the baseline to table no-such-table: ResourceNotFoundException');
  });
});

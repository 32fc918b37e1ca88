import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadRuleDirectory } from '../../src/engine/rules';
import { lambdaContext } from '../support/lambda-context';
import { ACCOUNT } from '../support/cloudtrail-records';
import { createKeyPairRecord, NEW_KEY_PAIR_TOML, newKeyPairRule, ROOT_BRUTE_FORCE_TOML, rootBruteForceRule, rootLoginFailureRecord } from '../support/stateful-fixtures';
import { runCli } from '../cli/cli-harness';
import { eventBridgeEvent, loadHandler, useLocalLambdaTestbed, useStatefulLambda, type HandlerModule } from './handler-harness';

/**
 * The Lambda with new_terms and threshold rules, against local S3, SNS and DynamoDB (dynalite): each
 * `loadHandler()` is another container with its own SDK clients, sharing the table, the bucket and the topic.
 */

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:cloudtrail-detector-alerts';

/**
 * Event times a few minutes ago: the Lambda judges expiry by the wall clock, as DynamoDB's TTL does, so events of a
 * fixed past date would find their state long expired (an event older than the lateness allowance is, by design).
 */
const BASE = Math.floor(Date.now() / 1000) * 1000 - 10 * 60_000;
const isoAt = (seconds: number): string => new Date(BASE + seconds * 1000).toISOString();

describe('the Lambda with stateful rules', () => {
  const testbed = useLocalLambdaTestbed('stateful-archive', TOPIC_ARN);
  const lambda = useStatefulLambda(() => [...loadRuleDirectory(path.join(__dirname, '../../rules')), newKeyPairRule(), rootBruteForceRule()]);
  const container = () => lambda.container();
  const invoke = (handler: HandlerModule, record: Record<string, unknown>, requestId = `req-${String(record.eventID)}`) =>
    handler.handler(eventBridgeEvent(record), lambdaContext(requestId));
  const published = () => testbed.sns.publishes.map((publish) => JSON.parse(JSON.parse(publish.message as string).default));

  it('refuses to start without its state table, naming the variable', () => {
    expect(() => loadHandler({ STATE_TABLE_NAME: undefined })).toThrow(
      'Detector Lambda is misconfigured: the rule pack holds 2 new_terms, threshold or eql sequence rule(s) and STATE_TABLE_NAME is not set',
    );
  });

  it('a new term alerts once, with kibana.alert.new_terms and an e-mail that says what was new', async () => {
    const handler = container();
    expect(await invoke(handler, createKeyPairRecord('k1', isoAt(0)))).toEqual({ alerts: 1, duplicates: 0 });
    expect(await invoke(handler, createKeyPairRecord('k2', isoAt(60)))).toEqual({ alerts: 0, duplicates: 0 });
    const [alert] = published();
    expect(alert.kibana.alert.new_terms).toEqual([ACCOUNT, 'alice']);
    const email = (JSON.parse(testbed.sns.publishes[0]?.message as string).email as string).replace(/\n(?! *\n)/g, ' ');
    expect(email).toContain(`First time in 7 days: user alice in account ${ACCOUNT} called ec2:CreateKeyPair.`);
    expect(email).toContain('Baseline incomplete');
    const keys = await testbed.s3.listObjects('alerts/');
    expect(keys).toEqual([expect.stringMatching(new RegExp(`^alerts/${alert.kibana.alert.rule.rule_id}/k1/nt-[A-Za-z0-9_-]{16}\\.json$`))]);
  });

  it('two containers with the same new term at the same moment: one alert', async () => {
    const [a, b] = [container(), container()];
    const results = await Promise.all([invoke(a, createKeyPairRecord('k1', isoAt(0))), invoke(b, createKeyPairRecord('k2', isoAt(0)))]);
    expect(results.map((result) => result.alerts).sort()).toEqual([0, 1]);
    expect(testbed.sns.publishes).toHaveLength(1);
  });

  it('two containers on the same threshold crossing: one alert', async () => {
    const [a, b] = [container(), container()];
    for (let i = 1; i <= 8; i++) await invoke(i % 2 ? a : b, rootLoginFailureRecord(`f${i}`, isoAt(i)));
    // The ninth and tenth failures at the same second, in two containers: whichever is applied second counts ten.
    const results = await Promise.all([invoke(a, rootLoginFailureRecord('f9', isoAt(9))), invoke(b, rootLoginFailureRecord('f10', isoAt(9)))]);
    expect(results.map((result) => result.alerts).sort()).toEqual([0, 1]);
    // The group starts again after its alert: one more failure is far from ten.
    expect(await invoke(a, rootLoginFailureRecord('f11', isoAt(11)))).toEqual({ alerts: 0, duplicates: 0 });
    expect(testbed.sns.publishes).toHaveLength(1);
    const [alert] = published();
    expect(alert.kibana.alert.threshold_result).toEqual({ terms: [{ field: 'cloud.account.id', value: ACCOUNT }], count: 10, from: new Date(isoAt(1)).toISOString() });
  });

  it('DynamoDB throttling beyond the retries fails the invocation; the retry alerts once, nothing lost or doubled', async () => {
    const handler = container();
    lambda.dynamo().failAll('throttling');
    await expect(invoke(handler, createKeyPairRecord('k1', isoAt(0)))).rejects.toThrow(/Rate of requests exceeds the allowed throughput/);
    lambda.dynamo().recover();
    expect(testbed.sns.publishes).toHaveLength(0);
    expect(await invoke(handler, createKeyPairRecord('k1', isoAt(0)))).toEqual({ alerts: 1, duplicates: 0 });
    // Lambda's second retry, or a redelivery: the same alert, recognised as already published.
    expect(await invoke(handler, createKeyPairRecord('k1', isoAt(0)))).toEqual({ alerts: 1, duplicates: 1 });
    expect(testbed.sns.publishes).toHaveLength(1);
  });

  it('gives the same alerts as scan for the same ordered records', async () => {
    const ips = ['203.0.113.1', '203.0.113.2', '203.0.113.3'];
    const records = [
      createKeyPairRecord('k1', isoAt(0), 'alice'),
      ...Array.from({ length: 12 }, (_, i) => rootLoginFailureRecord(`f${i + 1}`, isoAt(10 + i * 20), ips[i % 3])),
      createKeyPairRecord('k2', isoAt(300), 'alice'),
      createKeyPairRecord('k3', isoAt(310), 'bob'),
      createKeyPairRecord('k4', isoAt(320), 'carol'),
    ];
    const handler = container();
    for (const record of records) await invoke(handler, record);
    const summary = (alert: any) => JSON.stringify([alert.kibana.alert.rule.rule_id, alert.event.id, alert.kibana.alert.uuid, alert.kibana.alert.new_terms ?? alert.kibana.alert.threshold_result]);
    const fromLambda = published().map(summary);

    const rules = mkdtempSync(path.join(tmpdir(), 'stateful-rules-'));
    const trail = path.join(rules, 'trail.json');
    try {
      writeFileSync(path.join(rules, 'new_key_pair.toml'), NEW_KEY_PAIR_TOML);
      writeFileSync(path.join(rules, 'root_brute_force.toml'), ROOT_BRUTE_FORCE_TOML);
      writeFileSync(path.join(rules, 'export.toml'), readFileSync(path.join(__dirname, '../../rules/exfiltration_rds_snapshot_export.toml')));
      writeFileSync(trail, JSON.stringify({ Records: records }));
      const scan = await runCli(['scan', '--rules', rules, trail]);
      expect(scan.code).toBe(0);
      expect(scan.alerts.map(summary)).toEqual(fromLambda);
      expect(fromLambda).toHaveLength(4); // alice, bob, carol new; the tenth failure
    } finally {
      rmSync(rules, { recursive: true, force: true });
    }
  });

  it('a publish that fails after the state was written: the retry publishes the same alert once', async () => {
    const handler = container();
    testbed.sns.failNext(3);
    await expect(invoke(handler, createKeyPairRecord('k1', isoAt(0)))).rejects.toThrow();
    expect(await invoke(handler, createKeyPairRecord('k1', isoAt(0)))).toEqual({ alerts: 1, duplicates: 0 });
    expect(await invoke(handler, createKeyPairRecord('k2', isoAt(1)))).toEqual({ alerts: 0, duplicates: 0 });
    expect(testbed.sns.publishes).toHaveLength(1);
  });
});

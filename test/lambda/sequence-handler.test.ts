import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseRuleToml } from '../../src/engine/rules';
import { runCli } from '../cli/cli-harness';
import { BEDROCK_SEQUENCE_RULE, bedrockCall } from '../engine/eql/support/aws-rule-records';
import { conformancePath, describeWithConformance } from '../support/conformance-data';
import { lambdaContext } from '../support/lambda-context';
import { eventBridgeEvent, loadHandler, useLocalLambdaTestbed, useStatefulLambda, type HandlerModule } from './handler-harness';

/**
 * The Lambda with Elastic's Bedrock sequence rule, against local S3, SNS and DynamoDB (dynalite): each
 * `loadHandler()` is another container with its own SDK clients, sharing the table, the bucket and the topic. The
 * two steps of a sequence usually land in different containers.
 */

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:cloudtrail-detector-alerts';
/** Event times a few minutes ago: the state table expires items by the wall clock, as DynamoDB's TTL does. */
const BASE = Math.floor(Date.now() / 1000) * 1000 - 20 * 60_000;
const iso = (offsetMs: number): string => new Date(BASE + offsetMs).toISOString();
const MAXSPAN = 15 * 60_000;
const list = (offsetMs: number, key?: string) => bedrockCall('ListFoundationModels', iso(offsetMs), key);
const invoke = (offsetMs: number, key?: string) => bedrockCall('InvokeModel', iso(offsetMs), key);

describeWithConformance('the Lambda with the Bedrock sequence rule', ['elastic-aws-eql-rules'], () => {
  const testbed = useLocalLambdaTestbed('sequence-archive', TOPIC_ARN);
  const ruleText = () => readFileSync(path.join(conformancePath('elastic-aws-eql-rules'), BEDROCK_SEQUENCE_RULE), 'utf8');
  const lambda = useStatefulLambda(() => [parseRuleToml(ruleText(), BEDROCK_SEQUENCE_RULE)]);
  const container = () => lambda.container();
  const run = (handler: HandlerModule, record: Record<string, unknown>, requestId = `req-${String(record.eventID)}`) =>
    handler.handler(eventBridgeEvent(record), lambdaContext(requestId));
  const published = () => testbed.sns.publishes.map((publish) => JSON.parse(JSON.parse(publish.message as string).default));

  it('refuses to start without its state table', () => {
    expect(() => loadHandler({ STATE_TABLE_NAME: undefined })).toThrow(/holds 1 new_terms, threshold or eql sequence rule\(s\) and STATE_TABLE_NAME is not set/);
  });

  it('the two steps in two containers within 15 minutes: one alert, archived under the last step; a redelivery is a duplicate', async () => {
    const [a, b] = [container(), container()];
    expect(await run(a, list(0))).toEqual({ alerts: 0, duplicates: 0 });
    expect(await run(b, invoke(MAXSPAN))).toEqual({ alerts: 1, duplicates: 0 });
    expect(await run(a, invoke(MAXSPAN))).toEqual({ alerts: 1, duplicates: 1 });
    expect(await run(b, invoke(MAXSPAN + 1000))).toEqual({ alerts: 0, duplicates: 0 });
    expect(testbed.sns.publishes).toHaveLength(1);
    const [alert] = published();
    expect(alert.kibana.alert.sequence.steps.map((step: { event_id: string }) => step.event_id)).toEqual([String(list(0).eventID), String(invoke(MAXSPAN).eventID)]);
    expect(alert.kibana.alert.building_blocks).toHaveLength(2);
    const email = JSON.parse(testbed.sns.publishes[0]?.message as string).email as string;
    expect(email).toMatch(/^Shared key: +access key AKIAEXAMPLELONGTERM1$/m);
    const keys = await testbed.s3.listObjects('alerts/');
    // The last step's event id (made safe for a key: `:` is not kept) and the sequence's alert key.
    expect(keys).toEqual([expect.stringMatching(new RegExp(`^alerts/${alert.kibana.alert.rule.rule_id}/InvokeModel-[^/]+/sq-[A-Za-z0-9_-]{16}\\.json$`))]);
  });

  it('15 minutes and 1 ms apart: no alert', async () => {
    const [a, b] = [container(), container()];
    await run(a, list(0));
    expect(await run(b, invoke(MAXSPAN + 1))).toEqual({ alerts: 0, duplicates: 0 });
    expect(testbed.sns.publishes).toHaveLength(0);
  });

  it('the second step delivered first, to another container: the first step still makes the sequence', async () => {
    const [a, b] = [container(), container()];
    expect(await run(b, invoke(60_000))).toEqual({ alerts: 0, duplicates: 0 });
    expect(await run(a, list(0))).toEqual({ alerts: 1, duplicates: 0 });
    expect(testbed.sns.publishes).toHaveLength(1);
  });

  it('both steps at the same moment in two containers: one alert', async () => {
    const [a, b] = [container(), container()];
    const results = await Promise.all([run(a, list(0)), run(b, invoke(1000))]);
    expect(results.map((result) => result.alerts).sort()).toEqual([0, 1]);
    expect(testbed.sns.publishes).toHaveLength(1);
  });

  it('a publish that fails after the state was written: the retry publishes the sequence once', async () => {
    const handler = container();
    await run(handler, list(0));
    testbed.sns.failNext(3);
    await expect(run(handler, invoke(60_000))).rejects.toThrow();
    expect(await run(handler, invoke(60_000))).toEqual({ alerts: 1, duplicates: 0 });
    expect(await run(handler, invoke(120_000))).toEqual({ alerts: 0, duplicates: 0 });
    expect(testbed.sns.publishes).toHaveLength(1);
  });

  it('gives the same alerts as scan for the same ordered records', async () => {
    const records = [
      list(0),
      invoke(60_000),
      invoke(120_000),
      list(200_000, 'AKIAEXAMPLELONGTERM2'),
      list(300_000, 'ASIAEXAMPLETEMPORARY'),
      invoke(310_000, 'ASIAEXAMPLETEMPORARY'),
      list(400_000),
      bedrockCall('Converse', iso(400_000 + MAXSPAN)),
      invoke(400_000 + MAXSPAN + 1, 'AKIAEXAMPLELONGTERM2'),
    ];
    const handler = container();
    for (const record of records) await run(handler, record);
    const summary = (alert: any) => JSON.stringify([alert.kibana.alert.rule.rule_id, alert.kibana.alert.uuid, alert.kibana.alert.sequence]);
    const fromLambda = published().map(summary);
    expect(fromLambda).toHaveLength(2);

    const files = mkdtempSync(path.join(tmpdir(), 'sequence-scan-'));
    try {
      writeFileSync(path.join(files, 'bedrock.toml'), ruleText());
      writeFileSync(path.join(files, 'trail.json'), JSON.stringify({ Records: records }));
      const scan = await runCli(['scan', '--rules', files, path.join(files, 'trail.json')]);
      expect(scan.code).toBe(0);
      expect(scan.alerts.map(summary)).toEqual(fromLambda);
    } finally {
      rmSync(files, { recursive: true, force: true });
    }
  });
});

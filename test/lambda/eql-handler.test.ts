import { loadRulePack } from '../../src/engine/rules';
import { conformancePath, describeWithConformance } from '../support/conformance-data';
import { lambdaContext } from '../support/lambda-context';
import { OTHER_ACCOUNT, SINGLE_EVENT_RULE_RECORDS } from '../engine/eql/support/aws-rule-records';
import { eventBridgeEvent, useLocalLambdaTestbed, useStatefulLambda, type HandlerModule } from './handler-harness';

/**
 * The Lambda with Elastic's AWS EQL rules, packed as the CDK build packs them, against local S3, SNS and DynamoDB:
 * the RDS snapshot-sharing rule alerts on a ModifyDBSnapshotAttribute that adds an account to `restore`.
 */

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:cloudtrail-detector-alerts';
const RULES_DIR = 'elastic-aws-eql-rules';
const RDS_SHARING = 'exfiltration_rds_snapshot_shared_with_another_account.toml';

describeWithConformance('the Lambda with EQL rules', [RULES_DIR], () => {
  const testbed = useLocalLambdaTestbed('eql-archive', TOPIC_ARN);
  // The pack holds the Bedrock sequence rule too: its state goes to a table (dynalite), a fresh one per test.
  const lambda = useStatefulLambda(() => loadRulePack(conformancePath(RULES_DIR)).rules);
  let handler: HandlerModule;
  beforeEach(() => {
    handler = lambda.container();
  });

  const invoke = (record: Record<string, unknown>) => handler.handler(eventBridgeEvent(record), lambdaContext(`req-${String(record.eventID)}`));
  const published = () => testbed.sns.publishes.map((publish) => JSON.parse(JSON.parse(publish.message as string).default));

  it('the RDS snapshot-sharing rule alerts on an account added to restore, archived and published once', async () => {
    const record = { ...SINGLE_EVENT_RULE_RECORDS[RDS_SHARING].alerts, eventID: 'rds-share-1' };
    expect(await invoke(record)).toEqual({ alerts: 1, duplicates: 0 });
    const [alert] = published();
    expect(alert.kibana.alert.rule).toMatchObject({ name: 'AWS RDS DB Snapshot Shared with Another Account', type: 'eql', language: 'eql' });
    expect(alert.aws.cloudtrail.request_parameters).toContain(`valuesToAdd=[${OTHER_ACCOUNT}]`);
    expect(await testbed.s3.listObjects('alerts/')).toEqual([`alerts/${alert.kibana.alert.rule.rule_id}/rds-share-1.json`]);
    // Re-delivery of the same event: the alert is a duplicate, published once.
    expect(await invoke(record)).toEqual({ alerts: 1, duplicates: 1 });
    expect(testbed.sns.publishes).toHaveLength(1);
  });

  it('stays silent when the call removes an account, or adds none', async () => {
    for (const [i, { record }] of SINGLE_EVENT_RULE_RECORDS[RDS_SHARING].ignores.entries()) {
      expect(await invoke({ ...record, eventID: `rds-ignore-${i}` })).toEqual({ alerts: 0, duplicates: 0 });
    }
    expect(testbed.sns.publishes).toEqual([]);
  });
});

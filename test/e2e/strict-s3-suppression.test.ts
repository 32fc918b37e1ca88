import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { PACKAGED_RULES_DIRECTORY } from '../../src/cli/scan-command';
import { startConditionalS3, type ConditionalLocalS3 } from '../support/conditional-s3';
import { setEnvironment } from '../support/environment';
import { inThirtyDays, nightlyBackupExportExpiring, nightlyBackupRecord, SEED_RULE_ID, NIGHTLY_LIST_ID, tempFile, type TempFile } from '../support/exception-fixtures';
import { isAllowed, rolePolicies } from '../support/iam-policy';
import { lambdaContext } from '../support/lambda-context';
import { LOCAL_S3_CREDENTIALS } from '../support/local-s3';
import { startSnsRecorder, type SnsRecorder } from '../support/sns-recorder';
import { loadBundledHandler, synthesizeDetector, type SynthesizedDetector } from '../support/synthesize-detector';
import { eventFixture } from '../lambda/handler-harness';

/**
 * Issue 10, case 1: S3 answers a GET or HEAD of a missing key with 403 AccessDenied, not 404, unless the caller may
 * s3:ListBucket. A stack with a suppressed rule and an exception is synthesized; its Lambda bundle runs against the
 * local S3 front, which answers as S3 answers the synthesized role (its policies from the template), through the
 * exception path and the suppression-window path, including redeliveries.
 */
type Handler = (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<Record<string, unknown>>;

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:cloudtrail-detector-alerts';
const BUCKET = 'strict-alert-archive';
const BASE = eventFixture('start-export-task-assumed-role.json');

function suppressingRule(): string {
  const packaged = readFileSync(join(PACKAGED_RULES_DIRECTORY, 'exfiltration_rds_snapshot_export.toml'), 'utf8');
  return packaged.replace(
    /\[rule\]\n/,
    `[rule]\nexceptions_list = [{ id = "${NIGHTLY_LIST_ID}", list_id = "${NIGHTLY_LIST_ID}", namespace_type = "single", type = "detection" }]\n`,
  ) + '\n[rule.alert_suppression]\ngroup_by = ["user.name"]\nmissing_fields_strategy = "suppress"\n\n[rule.alert_suppression.duration]\nunit = "h"\nvalue = 1\n';
}

function engineerEvent(eventId: string): EventBridgeEvent<string, unknown> {
  const event = structuredClone(BASE) as EventBridgeEvent<string, unknown> & { detail: Record<string, unknown> };
  event.id = `envelope-${eventId}`;
  event.detail.eventID = eventId;
  return event;
}

function nightlyEvent(eventId: string): EventBridgeEvent<string, unknown> {
  return { ...structuredClone(BASE), id: `envelope-${eventId}`, detail: nightlyBackupRecord(BASE.detail as Record<string, any>, eventId) };
}

describe('the synthesized bundle against S3 that answers as S3 answers the synthesized role', () => {
  const files: TempFile[] = [];
  let synthesized: SynthesizedDetector;
  let s3: ConditionalLocalS3;
  let sns: SnsRecorder;
  let handler: Handler;
  let restoreEnvironment: () => void;

  beforeAll(async () => {
    const rule = tempFile('exfiltration_rds_snapshot_export.toml', suppressingRule());
    const exceptions = tempFile('nightly-backup.ndjson', nightlyBackupExportExpiring(inThirtyDays()));
    files.push(rule, exceptions);
    synthesized = synthesizeDetector({ alertEmails: 'oncall@example.com', rulesDir: rule.directory, exceptionsDir: exceptions.directory });
    const template = synthesized.template.toJSON() as Parameters<typeof rolePolicies>[0];
    const resources = Object.entries(template.Resources);
    const functionResource = resources.find(([, resource]) => resource.Type === 'AWS::Lambda::Function')![1];
    const roleId = functionResource.Properties.Role['Fn::GetAtt'][0] as string;
    const bucketId = functionResource.Properties.Environment.Variables.ALERT_ARCHIVE_BUCKET.Ref as string;
    const callerPolicies = rolePolicies(template, roleId, { [bucketId]: BUCKET });

    [s3, sns] = await Promise.all([startConditionalS3(BUCKET, { callerPolicies }), startSnsRecorder()]);
    const variables = functionResource.Properties.Environment.Variables as Record<string, unknown>;
    restoreEnvironment = setEnvironment({
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_ENDPOINT_URL_SNS: sns.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      // The function's own settings, as the template sets them; the bucket and topic are the local ones.
      ...Object.fromEntries(Object.entries(variables).filter(([, value]) => typeof value === 'string')),
      ALERT_TOPIC_ARN: TOPIC_ARN,
      ALERT_ARCHIVE_BUCKET: BUCKET,
      DETECTOR_RULES_PATH: undefined,
      DETECTOR_EXCEPTIONS_PATH: undefined,
    });
    handler = loadBundledHandler<Handler>(synthesized);
  });

  afterAll(async () => {
    restoreEnvironment?.();
    for (const file of files) file.remove();
    await Promise.all([s3?.stop(), sns?.stop()]);
  });

  async function invoke(event: EventBridgeEvent<string, unknown>, requestId: string): Promise<Record<string, unknown>> {
    const quiet = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      return await handler(event, lambdaContext(requestId));
    } finally {
      quiet.mockRestore();
    }
  }

  it('gives the role no s3:ListBucket, so the front answers a read of a missing key with 403 AccessDenied', async () => {
    const template = synthesized.template.toJSON() as Parameters<typeof rolePolicies>[0];
    const functionResource = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::Lambda::Function')!;
    const policies = rolePolicies(template, functionResource.Properties.Role['Fn::GetAtt'][0], { [functionResource.Properties.Environment.Variables.ALERT_ARCHIVE_BUCKET.Ref]: BUCKET });
    expect(isAllowed(policies, 's3:ListBucket', `arn:aws:s3:::${BUCKET}`)).toBe(false);
    expect(isAllowed(policies, 's3:GetObject', `arn:aws:s3:::${BUCKET}/alerts/x.json`)).toBe(true);
    const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', credentials: LOCAL_S3_CREDENTIALS });
    try {
      await expect(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'alerts/missing.json' }))).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
      await expect(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'alerts/missing.json' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    } finally {
      client.destroy();
    }
  });

  it('archives an excepted match as suppressed_by_exception, and a redelivery as a duplicate', async () => {
    const eventId = '5e6f0000-0000-4000-8000-0000000e0001';
    s3.clearRequests();
    await expect(invoke(nightlyEvent(eventId), 'req-exception')).resolves.toEqual({ alerts: 1, duplicates: 0, suppressed: 1 });
    await expect(invoke(nightlyEvent(eventId), 'req-exception-again')).resolves.toEqual({ alerts: 1, duplicates: 1 });
    expect(sns.publishes).toHaveLength(0);
    const archived = JSON.parse((await s3.readObject(`alerts/${SEED_RULE_ID}/${eventId}.json`))!.body);
    expect(archived).toMatchObject({ state: 'suppressed_by_exception', exception: { listId: NIGHTLY_LIST_ID } });
    expect(s3.requests.filter((request) => request.status === 403)).toEqual([]);
  });

  it('publishes the first match of a group, suppresses the next one in its window, and recognises redeliveries', async () => {
    const [first, second] = ['5e6f0000-0000-4000-8000-0000000e0011', '5e6f0000-0000-4000-8000-0000000e0012'];
    s3.clearRequests();
    await expect(invoke(engineerEvent(first), 'req-first')).resolves.toEqual({ alerts: 1, duplicates: 0 });
    await expect(invoke(engineerEvent(second), 'req-second')).resolves.toEqual({ alerts: 1, duplicates: 0, suppressed: 1 });
    await expect(invoke(engineerEvent(first), 'req-first-again')).resolves.toEqual({ alerts: 1, duplicates: 1 });
    await expect(invoke(engineerEvent(second), 'req-second-again')).resolves.toEqual({ alerts: 1, duplicates: 1 });

    expect(sns.publishes).toHaveLength(1);
    expect(JSON.parse(JSON.parse(sns.publishes[0]!.message!).default).event.id).toBe(first);
    const second_ = JSON.parse((await s3.readObject(`alerts/${SEED_RULE_ID}/${second}.json`))!.body);
    expect(second_).toMatchObject({ state: 'suppressed_by_window' });
    // Not one read of a key that was missing: every 403 the front gave would have failed the invocation.
    expect(s3.requests.filter((request) => request.status === 403)).toEqual([]);
    expect(s3.requests.filter((request) => request.method === 'GET').every((request) => request.status === 200)).toBe(true);
  });
});

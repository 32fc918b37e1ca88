import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EventBridgeEvent } from 'aws-lambda';
import { loadRuleDirectory, rulePackToJson, type DetectionRule } from '../../src/engine/rules';
import { S3Client } from '@aws-sdk/client-s3';
import { captureStdout, type CapturedStdout } from '../support/captured-stdout';
import { startConditionalS3, type ConditionalLocalS3 } from '../support/conditional-s3';
import { setEnvironment } from '../support/environment';
import { ACCOUNT } from '../support/cloudtrail-records';
import { startLocalDynamoDb, type LocalDynamoDb } from '../support/local-dynamodb';
import { LOCAL_S3_CREDENTIALS } from '../support/local-s3';
import { startSnsRecorder, type SnsRecorder } from '../support/sns-recorder';

export type HandlerModule = typeof import('../../lambda/handler');
export type CloudTrailEvent = EventBridgeEvent<'AWS API Call via CloudTrail', unknown>;

const REPO_ROOT = path.resolve(__dirname, '../..');

export function eventFixture(name: string): CloudTrailEvent {
  return JSON.parse(readFileSync(path.join(REPO_ROOT, 'test/fixtures/events', name), 'utf8')) as CloudTrailEvent;
}

/** The envelope EventBridge delivers a CloudTrail record in. */
export function eventBridgeEvent(record: Record<string, unknown>): CloudTrailEvent {
  const signIn = record.eventType === 'AwsConsoleSignIn';
  return {
    version: '0',
    id: `envelope-${String(record.eventID)}`,
    'detail-type': (signIn ? 'AWS Console Sign In via CloudTrail' : 'AWS API Call via CloudTrail') as 'AWS API Call via CloudTrail',
    source: `aws.${String(record.eventSource).split('.')[0]}`,
    account: ACCOUNT,
    time: String(record.eventTime),
    region: 'us-east-1',
    resources: [],
    detail: record,
  };
}

/** The CloudTrail record inside a fixture, for expectations. */
export function detailOf(event: CloudTrailEvent): Record<string, any> {
  return event.detail as Record<string, any>;
}

/** The repository's real rules, packed as the CDK build packs them for the Lambda. */
export function writeRulePack(): { path: string; remove(): void } {
  const directory = mkdtempSync(path.join(tmpdir(), 'detector-rules-'));
  const file = path.join(directory, 'rules.json');
  writeFileSync(file, rulePackToJson(loadRuleDirectory(path.join(REPO_ROOT, 'rules'))));
  return { path: file, remove: () => rmSync(directory, { recursive: true, force: true }) };
}

/** Environment of a Lambda wired to local endpoints; credentials are the only ones s3rver accepts. */
export function localLambdaEnvironment(options: {
  snsEndpoint: string;
  s3Endpoint: string;
  topicArn: string;
  bucket: string;
  rulesPath: string;
}): Record<string, string | undefined> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_ENDPOINT_URL: undefined,
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined,
    AWS_ENDPOINT_URL_SNS: options.snsEndpoint,
    AWS_ENDPOINT_URL_S3: options.s3Endpoint,
    ALERT_TOPIC_ARN: options.topicArn,
    ALERT_ARCHIVE_BUCKET: options.bucket,
    ALERT_ARCHIVE_PREFIX: undefined,
    DETECTOR_RULES_PATH: options.rulesPath,
  };
}

/**
 * Loads a fresh copy of the handler module, as a new Lambda container would: its configuration and SDK
 * clients are built at module load, so the environment must be in place first.
 * `environmentOverrides` apply during the load only: right for the handler's own settings (read at cold
 * start), wrong for AWS_ENDPOINT_URL_* and credentials, which the SDK reads at the first request.
 */
export function loadHandler(environmentOverrides: Readonly<Record<string, string | undefined>> = {}): HandlerModule {
  const restore = setEnvironment(environmentOverrides);
  try {
    let loaded: HandlerModule | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require('../../lambda/handler') as HandlerModule;
    });
    return loaded as HandlerModule;
  } finally {
    restore();
  }
}

/** What a suite of handler tests runs against; fields are set once the suite's `beforeAll` hooks have run. */
export interface LocalLambdaTestbed {
  readonly s3: ConditionalLocalS3;
  readonly sns: SnsRecorder;
  /** A client of the local S3, for planting or reading archive objects directly. */
  readonly s3Client: S3Client;
  readonly rulePack: { readonly path: string; remove(): void };
  /** stdout of the current test (the handler's log lines). */
  readonly stdout: CapturedStdout;
}

/**
 * Registers the suite hooks every handler test needs: local S3 (with S3's conditional writes) and SNS started on
 * 127.0.0.1, the real rule pack, the Lambda environment pointed at them; stdout captured per test; both services
 * emptied between tests; everything stopped at the end. Call it first in a `describe`, so its hooks run before the
 * suite's own (which may then load handlers).
 */
export function useLocalLambdaTestbed(bucket: string, topicArn: string): LocalLambdaTestbed {
  const testbed = {} as { -readonly [K in keyof LocalLambdaTestbed]: LocalLambdaTestbed[K] };
  let restoreEnvironment: (() => void) | undefined;
  beforeAll(async () => {
    [testbed.s3, testbed.sns] = await Promise.all([startConditionalS3(bucket), startSnsRecorder()]);
    testbed.s3Client = new S3Client({ endpoint: testbed.s3.endpoint, region: 'us-east-1', credentials: LOCAL_S3_CREDENTIALS });
    testbed.rulePack = writeRulePack();
    restoreEnvironment = setEnvironment(
      localLambdaEnvironment({
        snsEndpoint: testbed.sns.endpoint,
        s3Endpoint: testbed.s3.endpoint,
        topicArn,
        bucket: testbed.s3.bucket,
        rulesPath: testbed.rulePack.path,
      }),
    );
  });
  beforeEach(() => {
    testbed.stdout = captureStdout();
  });
  afterEach(async () => {
    testbed.stdout.restore();
    testbed.sns.reset();
    await testbed.s3.deleteAllObjects();
  });
  afterAll(async () => {
    restoreEnvironment?.();
    testbed.rulePack?.remove();
    testbed.s3Client?.destroy();
    await Promise.all([testbed.s3?.stop(), testbed.sns?.stop()]);
  });
  return testbed;
}

export interface StatefulLambda {
  /** dynalite, for failure injection. */
  readonly dynamo: () => LocalDynamoDb;
  /** This test's state table. */
  readonly tableName: () => string;
  /** A container of the handler on this test's state table: its own SDK clients, sharing the table, bucket and topic. */
  container(): HandlerModule;
}

/**
 * A Lambda with stateful rules (new_terms, threshold, EQL sequences): dynalite started for the suite, `rules` packed
 * as the synth packs them, and a fresh state table for each test. Call inside a `describe` after
 * `useLocalLambdaTestbed` (which sets the rest of the environment).
 */
export function useStatefulLambda(rules: () => readonly DetectionRule[]): StatefulLambda {
  let dynamo: LocalDynamoDb;
  let rulesDirectory: string;
  let restore: () => void;
  let tableName: string;
  beforeAll(async () => {
    dynamo = await startLocalDynamoDb();
    rulesDirectory = mkdtempSync(path.join(tmpdir(), 'stateful-pack-'));
    writeFileSync(path.join(rulesDirectory, 'rules.json'), rulePackToJson(rules()));
    restore = setEnvironment({ AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, DETECTOR_RULES_PATH: path.join(rulesDirectory, 'rules.json') });
  });
  afterAll(async () => {
    restore();
    rmSync(rulesDirectory, { recursive: true, force: true });
    await dynamo.stop();
  });
  beforeEach(async () => {
    tableName = await dynamo.createStateTable();
  });
  return {
    dynamo: () => dynamo,
    tableName: () => tableName,
    container() {
      const coldStart = captureStdout();
      try {
        return loadHandler({ STATE_TABLE_NAME: tableName });
      } finally {
        coldStart.restore();
      }
    },
  };
}

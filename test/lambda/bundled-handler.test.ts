import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { LAMBDA_BUNDLE_OPTIONS } from '../../lib/lambda-bundle-options';
import { captureStdout } from '../support/captured-stdout';
import { setEnvironment } from '../support/environment';
import { lambdaContext } from '../support/lambda-context';
import { startConditionalS3, type ConditionalLocalS3 } from '../support/conditional-s3';
import { startSnsRecorder, type SnsRecorder } from '../support/sns-recorder';
import { eventFixture, localLambdaEnvironment, writeRulePack, type HandlerModule } from './handler-harness';

/**
 * The deployed artifact is an esbuild bundle with rules.json beside it, not the TypeScript sources:
 * check that the bundle finds its rule pack through __dirname and delivers an alert.
 */
describe('the bundled Lambda', () => {
  let s3: ConditionalLocalS3;
  let sns: SnsRecorder;
  let bundleDirectory: string;
  let restoreEnvironment: () => void;

  beforeAll(async () => {
    [s3, sns] = await Promise.all([startConditionalS3('bundle-alert-archive'), startSnsRecorder()]);
    bundleDirectory = mkdtempSync(path.join(tmpdir(), 'detector-bundle-'));
    await build({
      ...LAMBDA_BUNDLE_OPTIONS,
      entryPoints: [path.resolve(__dirname, '../../lambda/handler.ts')],
      outfile: path.join(bundleDirectory, 'index.js'),
      logLevel: 'silent',
    });
    const rulePack = writeRulePack();
    copyFileSync(rulePack.path, path.join(bundleDirectory, 'rules.json'));
    rulePack.remove();
    restoreEnvironment = setEnvironment({
      ...localLambdaEnvironment({
        snsEndpoint: sns.endpoint,
        s3Endpoint: s3.endpoint,
        topicArn: 'arn:aws:sns:us-east-1:123456789012:cloudtrail-detector-alerts',
        bucket: s3.bucket,
        rulesPath: 'unused',
      }),
      DETECTOR_RULES_PATH: undefined,
    });
  });

  afterAll(async () => {
    restoreEnvironment?.();
    if (bundleDirectory) rmSync(bundleDirectory, { recursive: true, force: true });
    await Promise.all([s3?.stop(), sns?.stop()]);
  });

  it('reads the rules.json next to it and publishes and archives an alert', async () => {
    const stdout = captureStdout();
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const bundled = require(path.join(bundleDirectory, 'index.js')) as HandlerModule;
      const event = eventFixture('start-export-task-assumed-role.json');

      await expect(bundled.handler(event, lambdaContext('req-bundled'))).resolves.toEqual({ alerts: 1, duplicates: 0 });

      expect(stdout.jsonLines()[0]).toMatchObject({
        message: 'detector initialised',
        rulesPath: path.join(bundleDirectory, 'rules.json'),
      });
    } finally {
      stdout.restore();
    }
    expect(sns.publishes).toHaveLength(1);
    expect(await s3.listObjects()).toHaveLength(1);
  });
});

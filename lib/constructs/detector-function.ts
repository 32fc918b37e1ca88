import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { LAMBDA_BUNDLE_OPTIONS, LAMBDA_NODE_TARGET } from '../lambda-bundle-options';
import { DetectorRole } from './detector-role';

export interface DetectorFunctionProps {
  readonly topic: sns.ITopic;
  readonly bucket: s3.IBucket;
  readonly archivePrefix: string;
  readonly key: kms.IKey;
  /** The rule pack written at synth time; copied into the bundle as `rules.json`. */
  readonly rulePackPath: string;
}

const REPOSITORY_ROOT = join(__dirname, '..', '..');

/**
 * Pinned, not Runtime.NODEJS_LATEST: the template (and what runs) only changes when this line does.
 * NODEJS_24_X is the newest Node.js runtime in aws-cdk-lib 2.276 (NODEJS_LATEST also resolves to nodejs24.x).
 */
export const DETECTOR_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** The Lambda that normalizes each CloudTrail event, evaluates the rules and delivers alerts. */
export class DetectorFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: DetectorFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const { role } = new DetectorRole(this, 'Role', { ...props, logGroup: this.logGroup });

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      description: 'Evaluates Elastic KQL rules on CloudTrail events and publishes alerts',
      entry: join(REPOSITORY_ROOT, 'lambda', 'handler.ts'),
      handler: 'handler',
      projectRoot: REPOSITORY_ROOT,
      depsLockFilePath: join(REPOSITORY_ROOT, 'package-lock.json'),
      runtime: DETECTOR_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      // One event at a time, CPU-light; 256 MB buys a faster CPU share than 128 MB for cold starts.
      memorySize: 256,
      // Normalizing and matching take milliseconds; the budget is for SNS/S3 calls and their SDK retries.
      timeout: Duration.seconds(30),
      role,
      logGroup: this.logGroup,
      retryAttempts: 2,
      environment: {
        ALERT_TOPIC_ARN: props.topic.topicArn,
        ALERT_ARCHIVE_BUCKET: props.bucket.bucketName,
        ALERT_ARCHIVE_PREFIX: props.archivePrefix,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        forceDockerBundling: false,
        // Target, minification and externals come from the options the benchmark measures (lambda-bundle-options.ts):
        // the AWS SDK is bundled, pinning the version the tests ran against. Source maps are added on top so that
        // stack traces in the logs point at the TypeScript sources (NODE_OPTIONS above).
        target: LAMBDA_NODE_TARGET,
        minify: LAMBDA_BUNDLE_OPTIONS.minify === true,
        externalModules: [...(LAMBDA_BUNDLE_OPTIONS.external ?? [])],
        sourceMap: true,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir, outputDir) => [`cp ${shellQuote(props.rulePackPath)} ${shellQuote(join(outputDir, 'rules.json'))}`],
        },
      },
    });
  }
}

function shellQuote(path: string): string {
  return `'${path.replace(/'/g, `'\\''`)}'`;
}

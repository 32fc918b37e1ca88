import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Another CDK app uses the detector as a library, by package name: the package as `npm pack` makes it (which runs
 * the `prepare` build) is unpacked into a new app's node_modules, its declared dependencies (and nothing else) are
 * linked from this checkout, offline, and the app is type-checked and compiled by tsc and synthesized by node.
 */
const REPOSITORY = join(__dirname, '..', '..');
const SEED_PATTERN = {
  source: ['aws.rds'],
  'detail-type': ['AWS API Call via CloudTrail'],
  detail: { eventSource: ['rds.amazonaws.com'], eventName: ['StartExportTask'], errorCode: [{ exists: false }, null, '', '-', 'none'] },
};

const CONSUMER_APP = `
import { App, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudTrailDetector, DetectorRules, type CloudTrailDetectorProps } from 'cloudtrail-stream-detector';
import { parseRuleToml, type DetectionRule } from 'cloudtrail-stream-detector/engine';

const packageRoot = join(require.resolve('cloudtrail-stream-detector/package.json'), '..');
const text = readFileSync(join(packageRoot, 'rules', 'exfiltration_rds_snapshot_export.toml'), 'utf8');
const rule: DetectionRule = parseRuleToml(text, 'rds-export.toml');

const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'SecurityTooling');
const queue = new sqs.Queue(stack, 'AlertQueue', { enforceSSL: true });
const props: CloudTrailDetectorProps = {
  rules: DetectorRules.fromRules([rule]),
  alertSubscriptions: [new subscriptions.SqsSubscription(queue)],
  tags: { team: 'secops' },
};
const detector = new CloudTrailDetector(stack, 'Detector', props);
console.log(JSON.stringify({ rules: detector.rules.length, topic: stack.resolve(detector.alertTopic.topicArn) }));
app.synth();
`;

/** Links `name` from this checkout's node_modules into the app's, as npm would have installed it. */
function linkDependency(appModules: string, name: string): void {
  const target = join(REPOSITORY, 'node_modules', name);
  if (!existsSync(target)) throw new Error(`dependency ${name} is not installed in this checkout`);
  const link = join(appModules, name);
  mkdirSync(dirname(link), { recursive: true });
  if (!existsSync(link)) symlinkSync(target, link, 'dir');
}

describe('the package, used by another CDK app', () => {
  let appDirectory: string;
  let assembly: string;
  let printed: { rules: number; topic: unknown };
  let packedFiles: string[];
  let installed: string;

  beforeAll(() => {
    const work = mkdtempSync(join(tmpdir(), 'consumer-'));
    const packs = join(work, 'packs');
    mkdirSync(packs);
    execFileSync('npm', ['pack', '--pack-destination', packs, '--offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: REPOSITORY,
      env: { ...process.env, npm_config_update_notifier: 'false' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const [tarball] = readdirSync(packs).filter((name) => name.endsWith('.tgz'));
    packedFiles = execFileSync('tar', ['-tzf', join(packs, tarball)], { encoding: 'utf8' }).split('\n').filter(Boolean);

    appDirectory = join(work, 'app');
    const modules = join(appDirectory, 'node_modules');
    installed = join(modules, 'cloudtrail-stream-detector');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(packs, tarball), '-C', installed, '--strip-components=1']);
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    for (const name of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) linkDependency(modules, name);
    // The consumer's own development tools.
    for (const name of ['typescript', '@types/node']) linkDependency(modules, name);

    writeFileSync(join(appDirectory, 'package.json'), JSON.stringify({ name: 'consumer', private: true, dependencies: { 'cloudtrail-stream-detector': manifest.version } }));
    writeFileSync(join(appDirectory, 'app.ts'), CONSUMER_APP);
    const tsc = join(modules, 'typescript', 'bin', 'tsc');
    const compilerOptions = ['--strict', '--target', 'es2022', '--skipLibCheck', '--types', 'node'];
    // Node 16+ resolution reads `exports`; the classic one reads `types` and `typesVersions`. Both must find the types.
    execFileSync(process.execPath, [tsc, ...compilerOptions, '--module', 'commonjs', '--moduleResolution', 'node10', '--noEmit', 'app.ts'], { cwd: appDirectory, stdio: 'pipe' });
    execFileSync(process.execPath, [tsc, ...compilerOptions, '--module', 'node16', '--moduleResolution', 'node16', '--outDir', 'out', 'app.ts'], { cwd: appDirectory, stdio: 'pipe' });
    assembly = join(work, 'cdk.out');
    const output = execFileSync(process.execPath, [join(appDirectory, 'out', 'app.js'), assembly], { cwd: appDirectory, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    printed = JSON.parse(output.trim().split('\n').pop()!);
  }, 600_000);

  it('ships the compiled library, its declarations, the engine, the function bundle and the rules, not the tests', () => {
    for (const file of ['package/dist/lib/index.js', 'package/dist/lib/index.d.ts', 'package/dist/src/engine/index.d.ts', 'package/dist/detector-bundle/index.js', 'package/rules/exfiltration_rds_snapshot_export.toml']) {
      expect(packedFiles).toContain(file);
    }
    expect(packedFiles.filter((file) => file.startsWith('package/test/') || file.startsWith('package/node_modules/'))).toEqual([]);
  });

  it('runs its command line from the compiled code, which the build stamp says is current, with the packaged rules', () => {
    const { currentCompiledFile } = require('../../bin/compiled-build.js') as { currentCompiledFile(root: string, relativeJs: string): string | undefined };
    expect(packedFiles).toEqual(expect.arrayContaining(['package/dist/build-stamp.json', 'package/dist/src/cli/main.js', 'package/dist/src/engine/input/prefilter-worker.js']));
    expect(currentCompiledFile(installed, 'src/cli/main.js')).toBe(join(installed, 'dist', 'src', 'cli', 'main.js'));
    const cli = join(installed, 'bin', 'cloudtrail-stream-detector.js');
    expect(execFileSync(process.execPath, [cli, '--version'], { cwd: appDirectory, encoding: 'utf8' })).toMatch(/^cloudtrail-stream-detector \d+\.\d+\.\d+\n$/);
    const sql = execFileSync(process.execPath, [cli, 'athena'], { cwd: appDirectory, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(sql).toContain("eventname = 'StartExportTask'");
  });

  it('synthesizes the detector with the rule objects, the subscription and the tags it was given', () => {
    expect(printed.rules).toBe(1);
    const template = JSON.parse(readFileSync(join(assembly, 'SecurityTooling.template.json'), 'utf8'));
    const resources = Object.values<{ Type: string; Properties: Record<string, any> }>(template.Resources);
    const ofType = (type: string) => resources.filter((resource) => resource.Type === type);
    expect(ofType('AWS::Events::Rule').map((rule) => rule.Properties.EventPattern)).toEqual([SEED_PATTERN]);
    expect(ofType('AWS::SNS::Subscription').map((subscription) => subscription.Properties.Protocol)).toEqual(['sqs']);
    const [fn] = ofType('AWS::Lambda::Function');
    expect(fn.Properties.Handler).toBe('index.handler');
    expect(fn.Properties.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'application', Value: 'cloudtrail-stream-detector' },
        { Key: 'team', Value: 'secops' },
      ]),
    );
  });

  it('packages the prebuilt function bundle with the rules, and leaves no staging folder behind', () => {
    const assets = JSON.parse(readFileSync(join(assembly, 'SecurityTooling.assets.json'), 'utf8'));
    const directories = Object.values<{ source: { path: string; packaging: string } }>(assets.files)
      .filter((file) => file.source.packaging === 'zip')
      .map((file) => join(assembly, file.source.path));
    expect(directories).toHaveLength(1);
    expect(readdirSync(directories[0]).sort()).toEqual(['enrichment', 'exceptions.json', 'index.js', 'index.js.map', 'rules.json']);
    // The GeoIP/ASN databases and user-agent regexes come from the package's own dependencies, installed with it.
    expect(readdirSync(join(directories[0], 'enrichment')).sort()).toEqual(['asn.mmdb', 'geo.mmdb', 'uap-regexes.json']);
    const pack = JSON.parse(readFileSync(join(directories[0], 'rules.json'), 'utf8'));
    expect(pack.rules.map((rule: { sourceFile: string }) => rule.sourceFile)).toEqual(['rds-export.toml']);
    expect(readdirSync(assembly).filter((name) => name.startsWith('.detector-code-'))).toEqual([]);
  });
});

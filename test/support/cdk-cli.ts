import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPOSITORY = join(__dirname, '..', '..');
const CDK = join(REPOSITORY, 'node_modules', 'aws-cdk', 'bin', 'cdk');

export interface SynthResult {
  readonly status: number | null;
  readonly stderr: string;
  /** stderr without blank lines. */
  readonly stderrLines: string[];
}

/** `cdk synth --quiet -c <pair>...` as a user runs it: the real CDK CLI, in the project folder, with cdk.json. */
export function cdkSynth(...context: string[]): SynthResult {
  const outdir = mkdtempSync(join(tmpdir(), 'synth-command-'));
  const result = spawnSync(process.execPath, [CDK, 'synth', '--quiet', '--output', outdir, ...context.flatMap((pair) => ['-c', pair])], {
    cwd: REPOSITORY,
    encoding: 'utf8',
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true', FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  return { status: result.status, stderr: result.stderr, stderrLines: result.stderr.split('\n').filter((line) => line.trim() !== '') };
}

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

/**
 * `cdk synth --quiet -c <pair>...` as a user runs it at a terminal: the real CDK CLI, in the project folder, with
 * cdk.json. `CI` is removed because with CI=true the CDK CLI writes its own messages to stdout instead of stderr, and
 * these tests read what a person at a terminal sees on stderr (CI machines set CI=true).
 */
export function cdkSynth(...context: string[]): SynthResult {
  const outdir = mkdtempSync(join(tmpdir(), 'synth-command-'));
  const { CI: _ci, ...environment } = process.env;
  const result = spawnSync(process.execPath, [CDK, 'synth', '--quiet', '--output', outdir, ...context.flatMap((pair) => ['-c', pair])], {
    cwd: REPOSITORY,
    encoding: 'utf8',
    env: { ...environment, CDK_DISABLE_VERSION_CHECK: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true', FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  return { status: result.status, stderr: result.stderr, stderrLines: result.stderr.split('\n').filter((line) => line.trim() !== '') };
}

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const PACKAGES = ['aws-cdk-lib', 'cdk-nag', 'constructs', 'typescript', 'esbuild', 'aws-cdk'];

/** Node, the project, the packages that shape the template, and the git commit (with a mark if the tree is dirty). */
export function toolVersions(repositoryRoot: string): Record<string, string> {
  const versionOf = (file: string): string => {
    try {
      return String(JSON.parse(readFileSync(file, 'utf8')).version);
    } catch {
      return 'not installed';
    }
  };
  const versions: Record<string, string> = {
    'cloudtrail-stream-detector': versionOf(join(repositoryRoot, 'package.json')),
    node: process.version,
  };
  for (const name of PACKAGES) versions[name] = versionOf(join(repositoryRoot, 'node_modules', name, 'package.json'));
  versions['git commit'] = gitCommit(repositoryRoot);
  return versions;
}

function gitCommit(directory: string): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: directory, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git('rev-parse', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return dirty ? `${commit} (with uncommitted changes)` : commit;
  } catch {
    return 'not available';
  }
}

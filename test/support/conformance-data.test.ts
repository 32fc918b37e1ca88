import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { conformanceDirectory } from './conformance-data';

const ROOT = join(__dirname, '..', '..');

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|js)$/.test(entry.name) ? [path] : [];
  });
}

describe('conformance data location', () => {
  it('follows CONFORMANCE_DIR, and defaults to the shared folder beside the project', () => {
    expect(conformanceDirectory({ CONFORMANCE_DIR: '/elsewhere/data' })).toBe('/elsewhere/data');
    expect(conformanceDirectory({})).toBe(join(ROOT, '..', 'shared', 'conformance'));
  });

  // The one reason `npm test` could pass in CI and fail on a user's clone: a suite that finds the data its own way.
  it('is found only through the helper: no test, bench or source file names the folder or a machine path', () => {
    const offenders = ['test', 'bench', 'src', 'lib', 'lambda', 'bin', 'scripts']
      .flatMap((folder) => sourceFiles(join(ROOT, folder)))
      .filter((file) => !file.endsWith('conformance-dir.ts') && !file.endsWith('conformance-data.test.ts'))
      .filter((file) => {
        const code = readFileSync(file, 'utf8').replace(/^\s*(\*|\/\/).*$/gm, '');
        return /['"`](\.\.\/)+shared\/|['"`]shared['"`]\s*,\s*['"`]conformance|['"`]\/(work|home|root)\//.test(code);
      })
      .map((file) => relative(ROOT, file));
    expect(offenders).toEqual([]);
  });
});

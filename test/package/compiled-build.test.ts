import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** bin/compiled-build.js: the CLI runs dist/ only while no source file the build read has changed since. */
const { currentCompiledFile } = require('../../bin/compiled-build.js') as { currentCompiledFile(root: string, relativeJs: string): string | undefined };

const BUILD_STARTED = Date.UTC(2026, 10, 20, 12, 0, 0);

function project(stamp: unknown, files: Record<string, number>): string {
  const root = mkdtempSync(join(tmpdir(), 'compiled-build-'));
  for (const [file, mtimeMs] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), '');
    utimesSync(join(root, file), mtimeMs / 1000, mtimeMs / 1000);
  }
  mkdirSync(join(root, 'dist'), { recursive: true });
  if (stamp !== undefined) writeFileSync(join(root, 'dist', 'build-stamp.json'), typeof stamp === 'string' ? stamp : JSON.stringify(stamp));
  return root;
}

const stamp = { format: 1, startedAtMs: BUILD_STARTED, outputs: ['src/cli/main.js'], inputs: ['src/cli/main.ts', 'src/engine/detector.ts'] };
const beforeBuild = BUILD_STARTED - 60_000;

describe('currentCompiledFile', () => {
  it('gives the compiled file when every input is older than the build', () => {
    const root = project(stamp, { 'src/cli/main.ts': beforeBuild, 'src/engine/detector.ts': beforeBuild });
    expect(currentCompiledFile(root, 'src/cli/main.js')).toBe(join(root, 'dist', 'src', 'cli', 'main.js'));
  });

  it('gives nothing once any input was saved after the build started: the edited sources run', () => {
    const root = project(stamp, { 'src/cli/main.ts': beforeBuild, 'src/engine/detector.ts': BUILD_STARTED + 1 });
    expect(currentCompiledFile(root, 'src/cli/main.js')).toBeUndefined();
  });

  it('gives nothing when an input is gone, the stamp is missing, unreadable or of another format, or lacks the file', () => {
    expect(currentCompiledFile(project(stamp, { 'src/cli/main.ts': beforeBuild }), 'src/cli/main.js')).toBeUndefined();
    const sources = { 'src/cli/main.ts': beforeBuild, 'src/engine/detector.ts': beforeBuild };
    expect(currentCompiledFile(project(undefined, sources), 'src/cli/main.js')).toBeUndefined();
    expect(currentCompiledFile(project('{"format": 1, "startedAt', sources), 'src/cli/main.js')).toBeUndefined();
    expect(currentCompiledFile(project({ ...stamp, format: 2 }, sources), 'src/cli/main.js')).toBeUndefined();
    expect(currentCompiledFile(project(stamp, sources), 'src/report/main.js')).toBeUndefined();
  });

  it('accepts an installed package, whose files all carry npm’s fixed 1985 timestamp', () => {
    const npmTime = Date.UTC(1985, 9, 26, 8, 15, 0);
    const root = project(stamp, { 'src/cli/main.ts': npmTime, 'src/engine/detector.ts': npmTime });
    expect(currentCompiledFile(root, 'src/cli/main.js')).toBeDefined();
  });
});

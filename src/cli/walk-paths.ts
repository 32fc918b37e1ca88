import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** A file to scan (`displayPath` is how the user wrote it, for messages), or a path that cannot be scanned. */
export type WalkEntry =
  | { readonly kind: 'file'; readonly displayPath: string; readonly absolutePath: string }
  | { readonly kind: 'skipped'; readonly displayPath: string }
  | { readonly kind: 'error'; readonly displayPath: string; readonly message: string };

/**
 * Expands the PATH arguments into files, in a deterministic order: arguments as given, directories recursively with
 * entries sorted by name (code-unit order, independent of locale). Hidden entries inside directories are skipped; a
 * hidden file named explicitly is read. Documentation files inside directories are reported as skipped. Each real file is yielded once, and symbolic-link loops are not followed.
 * Lazy, so a large trail is never listed in full before scanning starts.
 */
export async function* walkInputPaths(paths: readonly string[], cwd: string): AsyncGenerator<WalkEntry> {
  const seenFiles = new Set<string>();
  const seenDirectories = new Set<string>();
  for (const displayPath of paths) {
    const absolutePath = resolve(cwd, displayPath);
    let isDirectory: boolean;
    try {
      const stats = await stat(absolutePath);
      if (!stats.isDirectory() && !stats.isFile()) {
        yield { kind: 'error', displayPath, message: 'not a regular file or directory' };
        continue;
      }
      isDirectory = stats.isDirectory();
    } catch (error) {
      yield { kind: 'error', displayPath, message: describeFsError(error) };
      continue;
    }
    if (isDirectory) yield* walkDirectory(absolutePath, displayPath, seenFiles, seenDirectories);
    else if (await isFirstVisit(absolutePath, seenFiles)) yield { kind: 'file', displayPath, absolutePath };
  }
}

async function* walkDirectory(
  absolutePath: string,
  displayPath: string,
  seenFiles: Set<string>,
  seenDirectories: Set<string>,
): AsyncGenerator<WalkEntry> {
  if (!(await isFirstVisit(absolutePath, seenDirectories))) return;
  let entries: Dirent[];
  try {
    entries = await readdir(absolutePath, { withFileTypes: true });
  } catch (error) {
    yield { kind: 'error', displayPath, message: describeFsError(error) };
    return;
  }
  const visible = entries.filter((entry) => !entry.name.startsWith('.'));
  visible.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of visible) {
    const childAbsolute = join(absolutePath, entry.name);
    const childDisplay = join(displayPath, entry.name);
    const kind = await entryKind(entry, childAbsolute);
    if (kind === 'directory') yield* walkDirectory(childAbsolute, childDisplay, seenFiles, seenDirectories);
    else if (kind === 'file' && (await isFirstVisit(childAbsolute, seenFiles))) {
      yield NOT_TRAIL_DATA.test(entry.name)
        ? { kind: 'skipped', displayPath: childDisplay }
        : { kind: 'file', displayPath: childDisplay, absolutePath: childAbsolute };
    } else if (kind instanceof Error) {
      yield { kind: 'error', displayPath: childDisplay, message: describeFsError(kind) };
    }
    // Sockets, FIFOs and devices are left alone: reading a FIFO could block the scan forever.
  }
}

/**
 * Files that sit next to trail data but are never CloudTrail records (READMEs, indexes, licences). Skipped when
 * found inside a directory so they do not fail the scan; a file named explicitly is always read.
 */
const NOT_TRAIL_DATA = /\.(md|markdown|txt|rst|html?|pdf|toml|ya?ml|csv|tsv|ini|cfg)$|^(LICEN[CS]E|NOTICE|README)(\..*)?$/i;

async function entryKind(entry: Dirent, absolutePath: string): Promise<'file' | 'directory' | 'other' | Error> {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'directory';
  if (!entry.isSymbolicLink()) return 'other';
  try {
    const target = await stat(absolutePath);
    return target.isDirectory() ? 'directory' : target.isFile() ? 'file' : 'other';
  } catch (error) {
    return error as Error;
  }
}

/** Records the real path; false when it was seen before (same file named twice, or a link back up the tree). */
async function isFirstVisit(absolutePath: string, seen: Set<string>): Promise<boolean> {
  let key = absolutePath;
  try {
    key = await realpath(absolutePath);
  } catch {
    // Keep the resolved path; reading will report the problem.
  }
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

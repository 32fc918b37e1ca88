import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ExceptionConfigError, ExceptionFileError } from './errors';
import { parseExceptionListExport } from './parse-exception-list';
import type { ExceptionList } from './types';

export interface LoadExceptionOptions {
  /** Accept items without `expire_time` (they are flagged `neverExpires`). */
  readonly allowNoExpiry?: boolean;
  /** File names in messages are given relative to this directory (default: as passed). */
  readonly displayRoot?: string;
}

/**
 * Reads and parses Kibana exception list exports. Every file is read and checked before anything is thrown, so one
 * run names every problem in every file (`file:line: field: problem`).
 */
export function loadExceptionFiles(files: readonly string[], options: LoadExceptionOptions = {}): ExceptionList[] {
  const lists: ExceptionList[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const display = options.displayRoot ? relative(options.displayRoot, file) || file : file;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      problems.push(`${display}: cannot read the exception list export: ${(error as Error).message}`);
      continue;
    }
    try {
      lists.push(...parseExceptionListExport(text, display, { allowNoExpiry: options.allowNoExpiry === true }));
    } catch (error) {
      if (error instanceof ExceptionFileError) problems.push(error.message);
      else throw error;
    }
  }
  if (problems.length > 0) throw new ExceptionConfigError(problems);
  return lists;
}

/** The `*.ndjson` files of a directory (not recursive), sorted by name; other files (README.md, ...) are ignored. */
export function exceptionFilesIn(directory: string): string[] {
  if (!statSync(directory).isDirectory()) throw new ExceptionConfigError([`${directory}: not a directory of exception list exports`]);
  return readdirSync(directory)
    .filter((name) => name.endsWith('.ndjson'))
    .sort()
    .map((name) => join(directory, name));
}

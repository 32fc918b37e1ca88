import { Annotations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  describeExceptions,
  exceptionFilesIn,
  exceptionPackToJson,
  loadExceptionFiles,
  resolveRuleExceptions,
  type ExceptionReportRow,
  type ResolvedRuleExceptions,
  type RuleExceptionMapping,
} from '../src/engine/exceptions';
import type { DetectionRule } from '../src/engine/rules';

/** The packaged file's name, next to rules.json in the bundle (read by lambda/config.ts). */
export const EXCEPTION_PACK_FILE = 'exceptions.json';

/** Default `exceptionsDir`: `exceptions/` at the repository root, when it exists. */
export const DEFAULT_EXCEPTIONS_DIRECTORY = join(__dirname, '..', 'exceptions');

export interface ExceptionPackFile {
  /** An `exceptions.json` outside the repository, to be copied into the Lambda bundle. */
  readonly path: string;
  /** Per rule of the pack, the lists that apply (rule's `exceptions_list` plus `exceptionMapping`). */
  readonly resolved: readonly ResolvedRuleExceptions[];
  /** The `.ndjson` files read (empty when there is no exceptions directory). */
  readonly files: readonly string[];
}

export interface ExceptionSettings {
  /** Absolute directory of Kibana exports, or undefined for none. */
  readonly directory: string | undefined;
  readonly mapping: RuleExceptionMapping;
  readonly allowNoExpiry: boolean;
}

/** Reads the context keys `exceptionsDir`, `exceptionMapping` and `allowExceptionsWithoutExpiry`; bad values fail the synth. */
export function parseExceptionSettings(scope: Construct): ExceptionSettings {
  const dir = scope.node.tryGetContext('exceptionsDir');
  let directory: string | undefined;
  if (dir === undefined || dir === null || dir === '') {
    directory = existsSync(DEFAULT_EXCEPTIONS_DIRECTORY) ? DEFAULT_EXCEPTIONS_DIRECTORY : undefined;
  } else if (typeof dir === 'string') {
    directory = resolve(dir);
    if (!existsSync(directory)) throw new Error(`exceptionsDir ${JSON.stringify(dir)} does not exist`);
  } else {
    throw new Error(`exceptionsDir must be a directory path, got ${JSON.stringify(dir)}`);
  }
  return {
    directory,
    mapping: parseExceptionMapping(scope.node.tryGetContext('exceptionMapping')),
    allowNoExpiry: parseBoolean('allowExceptionsWithoutExpiry', scope.node.tryGetContext('allowExceptionsWithoutExpiry')),
  };
}

/** `exceptionMapping` context: a JSON object (or its text, from `-c`) of rule id → list ids. */
export function parseExceptionMapping(value: unknown): RuleExceptionMapping {
  if (value === undefined || value === null || value === '') return {};
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      throw new Error(`exceptionMapping must be JSON {"<rule id>": ["<list id>", ...]}: ${(error as Error).message}`);
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`exceptionMapping must be a JSON object {"<rule id>": ["<list id>", ...]}, got ${JSON.stringify(value)}`);
  }
  for (const [ruleId, listIds] of Object.entries(parsed)) {
    if (!Array.isArray(listIds) || listIds.some((id) => typeof id !== 'string' || id === '')) {
      throw new Error(`exceptionMapping: the entry for rule ${JSON.stringify(ruleId)} must be a list of exception list ids, got ${JSON.stringify(listIds)}`);
    }
  }
  return parsed as RuleExceptionMapping;
}

function parseBoolean(name: string, value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new Error(`${name} must be true or false, got ${JSON.stringify(value)}`);
}

/** One info id for the exception summary, so it can be found (and filtered) in `cdk synth` output. */
export const EXCEPTION_SUMMARY_INFO_ID = 'cloudtrail-stream-detector:exceptions';

/**
 * At synth: parses every `*.ndjson` export in the exceptions directory (owner, reason and expiry checked), resolves
 * them against the rules (unknown list ids fail), writes the pack the function reads at cold start, and adds an info
 * annotation per exception item (rule, conditions, owner, reason, expiry, days left, never-expires) on `scope`.
 * Any problem fails the synth, naming file, line and field.
 */
export function writeExceptionPackFile(scope: Construct, rules: readonly DetectionRule[], settings: ExceptionSettings, now = new Date()): ExceptionPackFile {
  const files = settings.directory ? exceptionFilesIn(settings.directory) : [];
  const lists = loadExceptionFiles(files, { allowNoExpiry: settings.allowNoExpiry, displayRoot: settings.directory ? resolve(settings.directory, '..') : undefined });
  const resolved = resolveRuleExceptions(rules, lists, settings.mapping);
  const path = join(mkdtempSync(join(tmpdir(), 'detector-exceptions-')), EXCEPTION_PACK_FILE);
  writeFileSync(path, exceptionPackToJson(resolved));
  const rows = describeExceptions(resolved, now);
  for (const row of rows) Annotations.of(scope).addInfo(`[${EXCEPTION_SUMMARY_INFO_ID}] ${formatExceptionRow(row)}`);
  if (rows.length === 0) Annotations.of(scope).addInfo(`[${EXCEPTION_SUMMARY_INFO_ID}] no rule exceptions configured`);
  return { path, resolved, files };
}

/** One line of the synth summary. */
export function formatExceptionRow(row: ExceptionReportRow): string {
  const expiry = row.neverExpires
    ? 'NEVER EXPIRES'
    : `expires ${row.expireTime} (${row.expired ? `EXPIRED ${-(row.daysLeft ?? 0)} days ago, no longer applied` : `${row.daysLeft} days left`})`;
  return (
    `exception ${row.listId}/${row.itemId} (${row.itemName}) on rule "${row.ruleName}" (${row.ruleId}): ignores matches where ${row.conditions}; ` +
    `owner ${row.owner}; ${expiry}; reason: ${row.reason.replace(/\s+/g, ' ')}`
  );
}

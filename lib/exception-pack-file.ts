import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
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
import { contextJsonObject } from './context-json';
import { DetectorConfigError } from './detector-config-error';

/** The packaged file's name, next to rules.json in the bundle (read by lambda/config.ts). */
export const EXCEPTION_PACK_FILE = 'exceptions.json';

export interface ExceptionPack {
  /** The content of `exceptions.json`, packaged with the function. */
  readonly json: string;
  /** Per rule of the pack, the lists that apply (rule's `exceptions_list` plus the mapping). */
  readonly resolved: readonly ResolvedRuleExceptions[];
  /** The `.ndjson` files read (empty without an exceptions directory). */
  readonly files: readonly string[];
  /** One row per (rule, item), as of the synth: owner, reason, expiry, days left. */
  readonly rows: readonly ExceptionReportRow[];
}

export interface ExceptionSettings {
  /** Directory of Kibana exports, or undefined for none. */
  readonly directory?: string;
  readonly mapping?: RuleExceptionMapping;
  readonly allowNoExpiry?: boolean;
}

/**
 * At synth: parses every `*.ndjson` export in the exceptions directory (owner, reason and expiry checked), resolves
 * them against the rules (unknown list ids fail) and returns the pack the function reads at cold start. Any problem
 * fails the synth, naming file, line and field.
 */
export function resolveExceptionPack(rules: readonly DetectionRule[], settings: ExceptionSettings, now = new Date()): ExceptionPack {
  const directory = settings.directory === undefined ? undefined : resolve(settings.directory);
  if (directory !== undefined && !existsSync(directory)) {
    throw new DetectorConfigError('exceptionsDir', `${JSON.stringify(settings.directory)} does not exist`, 'Give a folder of Kibana exception list exports (*.ndjson)');
  }
  const files = directory ? exceptionFilesIn(directory) : [];
  const lists = loadExceptionFiles(files, { allowNoExpiry: settings.allowNoExpiry === true, displayRoot: directory ? resolve(directory, '..') : undefined });
  const resolved = resolveRuleExceptions(rules, lists, checkedMapping(settings.mapping ?? {}));
  return { json: exceptionPackToJson(resolved), resolved, files, rows: describeExceptions(resolved, now) };
}

/** Validates a mapping of rule id → exception list ids (a prop, or the parsed `exceptionMapping` context). */
function checkedMapping(mapping: RuleExceptionMapping): RuleExceptionMapping {
  for (const [ruleId, listIds] of Object.entries(mapping)) {
    if (!Array.isArray(listIds) || listIds.some((id) => typeof id !== 'string' || id === '')) {
      throw new DetectorConfigError('exceptionMapping', `the entry for rule ${JSON.stringify(ruleId)} must be a list of exception list ids, got ${JSON.stringify(listIds)}`);
    }
  }
  return mapping;
}

/** `exceptionMapping` context: a JSON object (or its text, from `-c`) of rule id → list ids. */
export function parseExceptionMapping(value: unknown): RuleExceptionMapping {
  return checkedMapping((contextJsonObject('exceptionMapping', value, '{"<rule id>": ["<list id>", ...]}') ?? {}) as RuleExceptionMapping);
}

/** One line per exception item, for the audit report and messages. */
export function formatExceptionRow(row: ExceptionReportRow): string {
  const expiry = row.neverExpires
    ? 'NEVER EXPIRES'
    : `expires ${row.expireTime} (${row.expired ? `EXPIRED ${-(row.daysLeft ?? 0)} days ago, no longer applied` : `${row.daysLeft} days left`})`;
  return (
    `exception ${row.listId}/${row.itemId} (${row.itemName}) on rule "${row.ruleName}" (${row.ruleId}): ignores matches where ${row.conditions}; ` +
    `owner ${row.owner}; ${expiry}; reason: ${row.reason.replace(/\s+/g, ' ')}`
  );
}

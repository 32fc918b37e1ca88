import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { DetectionRule } from './detection-rule';
import { notRunningKindOf } from './rule-support';
import { parseRuleToml } from './parse-rule-toml';
import { RuleFileError } from './rule-file-error';

/** A valid rule of a type the engine cannot run yet: reported to the operator, never evaluated. */
export interface UnsupportedRule {
  readonly file: string;
  readonly ruleId: string;
  readonly name: string;
  /** The rule's type. */
  readonly type: string;
}

export interface RulePack {
  /** The rules the engine runs, in file name order. */
  readonly rules: DetectionRule[];
  /** Rules that passed every check but the type one, in file name order. */
  readonly unsupported: UnsupportedRule[];
}

/**
 * Reads every `*.toml` rule directly in `directory` (sub-folders such as Elastic's `_deprecated/` are not read),
 * in name order. A rule of an unsupported type is listed in `unsupported` so callers can say so; anything else
 * wrong (bad TOML, a bad field, a rule_id used twice, no rule files) fails, naming the file.
 */
export function loadRulePack(directory: string): RulePack {
  const rules: DetectionRule[] = [];
  const unsupported: UnsupportedRule[] = [];
  const fileByRuleId = new Map<string, string>();
  for (const file of ruleFilesIn(directory)) {
    const rule = parseRuleToml(readFileSync(file, 'utf8'), displayPath(file), { acceptUnsupportedType: true });
    const earlier = fileByRuleId.get(rule.ruleId);
    if (earlier) {
      throw new RuleFileError(rule.sourceFile, [{ field: 'rule.rule_id', problem: `"${rule.ruleId}" is already used by ${earlier}` }]);
    }
    fileByRuleId.set(rule.ruleId, rule.sourceFile);
    const notRunning = notRunningKindOf(rule);
    if (notRunning === undefined) rules.push(rule);
    else unsupported.push({ file: rule.sourceFile, ruleId: rule.ruleId, name: rule.name, type: notRunning });
  }
  return { rules, unsupported };
}

function ruleFilesIn(directory: string): string[] {
  let names: string[];
  try {
    if (!statSync(directory).isDirectory()) throw new Error('not a directory');
    names = readdirSync(directory).filter((name) => name.endsWith('.toml')).sort();
  } catch (error) {
    throw new RuleFileError(directory, [{ field: '', problem: `cannot read the rules directory (${(error as Error).message})` }]);
  }
  if (names.length === 0) {
    throw new RuleFileError(directory, [{ field: '', problem: 'no *.toml rule files in this directory' }]);
  }
  return names.map((name) => join(directory, name));
}

function displayPath(file: string): string {
  const fromCwd = relative(process.cwd(), file);
  return fromCwd.startsWith('..') ? file : fromCwd;
}

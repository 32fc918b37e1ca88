import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { DetectionRule } from './detection-rule';
import { parseRuleToml } from './parse-rule-toml';
import { RuleFileError } from './rule-file-error';

/**
 * Reads every `*.toml` rule directly in `directory` (sub-folders such as Elastic's `_deprecated/` are not read),
 * in name order. Fails on the first broken file, naming it; fails when two files share a rule_id.
 */
export function loadRuleDirectory(directory: string): DetectionRule[] {
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

  const rules: DetectionRule[] = [];
  const fileByRuleId = new Map<string, string>();
  for (const name of names) {
    const file = join(directory, name);
    const rule = parseRuleToml(readFileSync(file, 'utf8'), displayPath(file));
    const earlier = fileByRuleId.get(rule.ruleId);
    if (earlier) {
      throw new RuleFileError(rule.sourceFile, [{ field: 'rule.rule_id', problem: `"${rule.ruleId}" is already used by ${earlier}` }]);
    }
    fileByRuleId.set(rule.ruleId, rule.sourceFile);
    rules.push(rule);
  }
  return rules;
}

function displayPath(file: string): string {
  const fromCwd = relative(process.cwd(), file);
  return fromCwd.startsWith('..') ? file : fromCwd;
}

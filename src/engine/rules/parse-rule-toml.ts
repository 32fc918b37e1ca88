import { parse as parseToml, TomlError } from 'smol-toml';
import type { DetectionRule } from './detection-rule';
import { RuleFileError } from './rule-file-error';
import { validateRule, type ValidateRuleOptions } from './validate-rule';

/** Parses and validates one rule written as TOML in Elastic's detection-rules schema. */
export function parseRuleToml(text: string, file: string, options: ValidateRuleOptions = {}): DetectionRule {
  let document: unknown;
  try {
    document = parseToml(text);
  } catch (error) {
    if (error instanceof TomlError) {
      const firstLine = error.message.split('\n')[0].replace(/^Invalid TOML document: /, '');
      throw new RuleFileError(file, [{ field: '', problem: `invalid TOML at line ${error.line}, column ${error.column}: ${firstLine}` }]);
    }
    throw error;
  }
  return validateRule(document, file, options);
}

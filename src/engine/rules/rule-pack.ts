import { compileRules } from './compile-rules';
import type { CompiledRule, DetectionRule } from './detection-rule';
import { RuleFileError } from './rule-file-error';
import { validateRuleShape } from './validate-rule-shape';

/**
 * The rules as packaged with the Lambda: validated at synth time from TOML, shipped as JSON so the function
 * needs no TOML parser and reads nothing at run time but this file.
 */
interface RulePackDocument {
  readonly format: 'cloudtrail-stream-detector/rule-pack';
  readonly version: 1;
  readonly rules: readonly DetectionRule[];
}

const FORMAT = 'cloudtrail-stream-detector/rule-pack';

export function rulePackToJson(rules: readonly DetectionRule[]): string {
  const pack: RulePackDocument = { format: FORMAT, version: 1, rules };
  return `${JSON.stringify(pack, null, 2)}\n`;
}

export function rulePackFromJson(text: string, source: string): CompiledRule[] {
  let pack: unknown;
  try {
    pack = JSON.parse(text);
  } catch (error) {
    throw new RuleFileError(source, [{ field: '', problem: `not valid JSON (${(error as Error).message})` }]);
  }
  const document = pack as Partial<RulePackDocument> | null;
  if (!document || document.format !== FORMAT || document.version !== 1 || !Array.isArray(document.rules)) {
    throw new RuleFileError(source, [{ field: 'format', problem: `not a version 1 ${FORMAT} document` }]);
  }
  if (document.rules.length === 0) throw new RuleFileError(source, [{ field: 'rules', problem: 'the pack holds no rules' }]);
  document.rules.forEach((rule, i) => validateRuleShape(rule, `${source} rules[${i}]`));
  return compileRules(document.rules);
}

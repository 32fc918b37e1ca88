export type {
  AlertSuppressionConfig,
  CompiledEql,
  CompiledRule,
  DetectionRule,
  RuleExceptionListReference,
  Severity,
  SuppressionUnit,
  ThreatMapping,
} from './detection-rule';
export { compileRules } from './compile-rules';
export { loadRuleDirectory } from './load-rule-directory';
export { describeUnsupportedRules } from './describe-unsupported';
export { loadRulePack, type RulePack, type UnsupportedRule } from './load-rule-pack';
export { parseRuleToml } from './parse-rule-toml';
export { RuleFileError, type RuleProblem } from './rule-file-error';
export { rulePackFromJson, rulePackToJson } from './rule-pack';
export { SUPPORTED_LANGUAGES, SUPPORTED_RULE_TYPES, validateRule, type ValidateRuleOptions } from './validate-rule';
export { eqlOptionsOf, eqlQueryOf, isEqlRule, isSequenceRule } from './eql-rule';
export { notRunningKindOf } from './rule-support';

export type { CompiledRule, DetectionRule, Severity, ThreatMapping } from './detection-rule';
export { compileRules } from './compile-rules';
export { loadRuleDirectory } from './load-rule-directory';
export { parseRuleToml } from './parse-rule-toml';
export { RuleFileError, type RuleProblem } from './rule-file-error';
export { rulePackFromJson, rulePackToJson } from './rule-pack';
export { SUPPORTED_LANGUAGES, SUPPORTED_RULE_TYPES, validateRule } from './validate-rule';

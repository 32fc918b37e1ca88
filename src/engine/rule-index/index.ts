export { createRuleIndex, type RuleIndex } from './rule-index';
export { requiredValues, type RequiredValues } from './required-values';

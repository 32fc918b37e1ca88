export { compileEventPattern } from './compile-pattern';
export { compileEqlEventPattern } from './eql-conditions';
export { compileRulePattern } from './rule-pattern';
export type { CompiledEventPattern, EventPattern, EventPatternMatcher, EventPatternNode, PatternPrecision } from './event-pattern';

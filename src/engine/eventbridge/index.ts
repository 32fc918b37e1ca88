export { compileEventPattern } from './compile-pattern';
export { compileEqlEventPattern } from './eql-conditions';
export type { CompiledEventPattern, EventPattern, EventPatternMatcher, EventPatternNode, PatternPrecision } from './event-pattern';

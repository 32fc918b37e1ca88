export { compileEventPattern } from './compile-pattern';
export type { CompiledEventPattern, EventPattern, EventPatternMatcher, EventPatternNode, PatternPrecision } from './event-pattern';

/** KQL (Kibana Query Language) for Elastic detection rules: parser, compiler to in-memory predicates, helpers. */
export type { KqlField, KqlLiteral, KqlNode, KqlValue, KqlWildcard, RangeOperator } from './ast';
export { MAX_NESTING_DEPTH, parseKql } from './parser';
export { KqlSyntaxError } from './syntax-error';
export { compileKql, evaluateKql, type KqlPredicate } from './evaluator';
export { fieldsOf } from './fields';

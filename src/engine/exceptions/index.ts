/**
 * Rule exceptions in Elastic's format (Kibana's exception list NDJSON export) and alert suppression: parsing,
 * accountability checks, Elastic's matching semantics, per-rule resolution, suppression windows and report rows.
 * Pure logic; reading files and storing suppression windows belong to the callers. See docs/exceptions.md.
 */
export { describeConditions, describeExceptions, type ExceptionReportRow } from './describe-exceptions';
export { ExceptionConfigError, ExceptionFileError, type ExceptionProblem } from './errors';
export { findMatchingException, isExpired, matchesException, type ExceptionMatch } from './match-exception';
export { wildcardPattern } from './wildcard-pattern';
export { parseExceptionListExport, type ParseExceptionOptions } from './parse-exception-list';
export {
  resolveRuleExceptions,
  type AppliedExceptionList,
  type ResolvedRuleExceptions,
  type RuleExceptionMapping,
} from './resolve-rule-exceptions';
export {
  decideSuppression,
  suppressionDurationMs,
  suppressionKey,
  suppressionKeyFromTerms,
  suppressionTerms,
  type SuppressionDecision,
  type SuppressionTerm,
  type SuppressionWindow,
} from './suppression';
export { EXCEPTION_PACK_FORMAT, exceptionPackFromJson, exceptionPackToJson } from './exception-pack';
export { exceptionFilesIn, loadExceptionFiles, type LoadExceptionOptions } from './load-exception-files';
export * from './types';

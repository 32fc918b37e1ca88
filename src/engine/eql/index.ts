/** EQL (Event Query Language) for Elastic detection rules: parser, single-event predicates, sequences. */
export * from './ast';
export { MAX_NESTING_DEPTH, parseEql } from './parser';
export { EqlSyntaxError } from './syntax-error';
export {
  compileCondition,
  compileEventFilter,
  DEFAULT_EVENT_CATEGORY_FIELD,
  type EqlCompileOptions,
  type EqlFieldType,
  type EqlPredicate,
} from './compile-condition';
export {
  compareOrdinals,
  createSequenceMatcher,
  type ExpandedStage,
  type JsonValue,
  type KeyValue,
  type MatchedEvent,
  type Ordinal,
  type SequenceEvent,
  type SequenceKeyState,
  type SequenceMatch,
  type SequenceMatcher,
  type SequenceRoute,
  type StepResult,
} from './sequence';
export { DEFAULT_SIZE, runEql, timestampMillis, type EqlHit, type EqlRunOptions, type EqlRunResult } from './run-eql';
export { eqlFilterToKqlSuperset, eqlToKqlSuperset } from './kql-superset';

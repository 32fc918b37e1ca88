export {
  evaluateStatefulRule,
  isStatefulRule,
  type NewTermFinding,
  type StatefulEvaluation,
  type StatefulEvent,
  type StatefulFinding,
  type StatefulOptions,
  type ThresholdFinding,
} from './evaluate-stateful';
export { distinctValues, MAX_COMBINATIONS_PER_EVENT, valueCombinations } from './field-values';
export { NEW_TERMS_LATENESS_MS, SEQUENCE_LATENESS_MS, THRESHOLD_LATENESS_MS } from './lateness';
export {
  NEW_TERMS_MACHINE,
  NEW_TERMS_MERGE_MACHINE,
  reduceNewTerms,
  type NewTermsInput,
  type NewTermsMergeInput,
  type NewTermsOutput,
  type NewTermsState,
} from './new-terms';
export { BASELINE_COVERAGE_KEY, BaselineCoverage, extendBaselineCoverage, readBaselineCoverage } from './baseline-coverage';
export { compactEventId, shortHash, stateKey } from './state-keys';
export {
  MAX_GROUP_EVENTS,
  MAX_LISTED_EVENTS,
  reduceThreshold,
  THRESHOLD_MACHINE,
  type ThresholdCrossing,
  type ThresholdInput,
  type ThresholdOutput,
  type ThresholdState,
} from './threshold';
export {
  evaluateSequenceRule,
  sequenceRuntime,
  SUMMARY_FIELDS,
  type SequenceEvaluation,
  type SequenceEvent,
  type SequenceFinding,
  type SequenceRuleRuntime,
} from './evaluate-sequence';
export {
  MAX_SEQUENCE_EVENTS,
  sequenceHorizonMs,
  sequenceIdentity,
  sequenceMachine,
  type EventSummary,
  type FoundSequence,
  type SequenceInput,
  type SequenceOutput,
  type SequenceState,
  type SequenceStep,
} from './sequence';
export { feasibleKey } from './sequence-keys';

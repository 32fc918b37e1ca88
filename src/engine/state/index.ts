export { applyReducer, DEFAULT_MAX_ATTEMPTS, StateContentionError, StateFormatError, type Reduction, type StateMachine } from './apply-reducer';
export { MemoryStateStore, type StateSnapshotEntry } from './memory-state-store';
export {
  encodeState,
  expiresAtSeconds,
  MAX_STATE_BYTES,
  MAX_STATE_KEY_LENGTH,
  StateValueError,
  type JsonValue,
  type StateStore,
  type StoredState,
  type WriteCondition,
  type WriteResult,
} from './state-store';

export { readRecords } from './read-records';
export type { InputError, InputItem, InputPosition, RecordItem, SkippedInput } from './input-item';

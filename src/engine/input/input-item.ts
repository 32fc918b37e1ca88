import type { EventBridgeEnvelopeInfo } from '../alerts/alert-types';

/**
 * Where something sits inside one input file, for messages a person can follow: `Records[3]`, `[2]`, `line 7`,
 * `line 7 Records[0]`, `line 3, column 17`. Array indexes are 0-based (as in jq paths), lines and columns 1-based.
 * Empty when the whole file is meant.
 */
export type InputPosition = string;

/** One CloudTrail record found in an input file. */
export interface RecordItem {
  readonly kind: 'record';
  readonly record: object;
  /** Present when the record came wrapped in an EventBridge event. */
  readonly envelope?: EventBridgeEnvelopeInfo;
  /** The record's exact raw text when it could be cut out of the file; becomes `event.original`. */
  readonly original?: string;
  readonly source: string;
  readonly position: InputPosition;
}

/** A part of an input file that could not be read as CloudTrail data. The rest of the file still counts. */
export interface InputError {
  readonly kind: 'error';
  readonly source: string;
  readonly position: InputPosition;
  readonly message: string;
}

/** Something recognised and deliberately not scanned, such as a CloudTrail digest file. */
export interface SkippedInput {
  readonly kind: 'skipped';
  readonly source: string;
  readonly position: InputPosition;
  readonly reason: 'cloudtrail-digest';
}

export type InputItem = RecordItem | InputError | SkippedInput;

/** Appends a sub-position: `line 7` + `Records[0]` gives `line 7 Records[0]`; `[2]` + `Records[0]` gives `[2].Records[0]`. */
export function nestedPosition(outer: InputPosition, inner: InputPosition): InputPosition {
  if (outer === '') return inner;
  if (inner === '') return outer;
  if (outer.startsWith('line')) return `${outer} ${inner}`;
  return inner.startsWith('[') ? `${outer}${inner}` : `${outer}.${inner}`;
}

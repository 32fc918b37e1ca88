import { isCloudTrailDigest } from './cloudtrail-digest';
import { unwrapEventBridgeEvent } from './eventbridge-envelope';
import { isEventBridgeEnvelope } from './eventbridge-detection';
import { nestedPosition, type InputItem, type InputPosition } from './input-item';
import { rawArrayElements, rawMemberArrayElements } from './raw-json-elements';

/**
 * Turns one parsed JSON value into input items. `raw` is the value's exact text when known; it is used to give each
 * record its own raw text as `original`.
 *
 * Accepted shapes: a CloudTrail log object `{"Records": [...]}`, a single record, an EventBridge event whose `detail`
 * is a record, a CloudTrail digest (skipped), or (at the top only) an array of any of these.
 */
export function* itemsFromJsonValue(value: unknown, raw: string | undefined, source: string, position: InputPosition): Generator<InputItem> {
  if (Array.isArray(value)) {
    const rawElements = raw === undefined ? undefined : matchingLength(rawArrayElements(raw), value.length);
    for (let index = 0; index < value.length; index += 1) {
      yield* itemsFromObject(value[index], rawElements?.[index], source, nestedPosition(position, `[${index}]`));
    }
    return;
  }
  yield* itemsFromObject(value, raw, source, position);
}

function* itemsFromObject(value: unknown, raw: string | undefined, source: string, position: InputPosition): Generator<InputItem> {
  if (!isJsonObject(value)) {
    yield { kind: 'error', source, position, message: `expected a CloudTrail log, record or EventBridge event (a JSON object), found ${describeJson(value)}` };
    return;
  }
  if ('Records' in value) {
    yield* itemsFromCloudTrailLog(value.Records, raw, source, position);
  } else if (isCloudTrailDigest(value)) {
    yield { kind: 'skipped', source, position, reason: 'cloudtrail-digest' };
  } else if (isEventBridgeEnvelope(value)) {
    yield* itemsFromEnvelope(value, source, position);
  } else {
    yield { kind: 'record', record: value, original: raw, source, position };
  }
}

function* itemsFromCloudTrailLog(records: unknown, raw: string | undefined, source: string, position: InputPosition): Generator<InputItem> {
  if (!Array.isArray(records)) {
    yield { kind: 'error', source, position, message: `"Records" must be an array of CloudTrail records, found ${describeJson(records)}` };
    return;
  }
  const rawRecords = raw === undefined ? undefined : matchingLength(rawMemberArrayElements(raw, 'Records'), records.length);
  for (let index = 0; index < records.length; index += 1) {
    const record: unknown = records[index];
    const recordPosition = nestedPosition(position, `Records[${index}]`);
    if (isJsonObject(record)) {
      yield { kind: 'record', record, original: rawRecords?.[index], source, position: recordPosition };
    } else {
      yield { kind: 'error', source, position: recordPosition, message: `a CloudTrail record must be a JSON object, found ${describeJson(record)}` };
    }
  }
}

/**
 * The record inside an envelope gets no `original`: the raw text at hand is the envelope's, and the Lambda (which
 * receives the same events parsed) has none either, so both paths produce the same alert.
 */
function* itemsFromEnvelope(event: object, source: string, position: InputPosition): Generator<InputItem> {
  let unwrapped: ReturnType<typeof unwrapEventBridgeEvent>;
  try {
    unwrapped = unwrapEventBridgeEvent(event);
  } catch (error) {
    yield { kind: 'error', source, position, message: error instanceof Error ? error.message : String(error) };
    return;
  }
  yield { kind: 'record', record: unwrapped.record, envelope: unwrapped.envelope, source, position };
}

/** Raw slices are an optional extra: if the scan ever disagreed with JSON.parse, records go without them. */
function matchingLength(rawElements: string[] | undefined, expected: number): string[] | undefined {
  return rawElements !== undefined && rawElements.length === expected ? rawElements : undefined;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value} (${JSON.stringify(value).slice(0, 40)})`;
}

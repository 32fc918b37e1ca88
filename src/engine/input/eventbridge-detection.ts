/**
 * Whether a JSON object is an EventBridge event rather than a CloudTrail record. Unwrapping it is
 * `unwrapEventBridgeEvent`'s job (shared with the Lambda); this only decides which of the two to treat it as.
 * `detail-type` is a key no CloudTrail record has, and every EventBridge event has it.
 */
export function isEventBridgeEnvelope(value: object): boolean {
  return typeof (value as { 'detail-type'?: unknown })['detail-type'] === 'string' && 'detail' in value;
}

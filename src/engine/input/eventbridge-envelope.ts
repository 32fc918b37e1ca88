import type { EventBridgeEnvelopeInfo } from '../alerts/alert-types';

/** The event is not something the detector can evaluate; retrying it cannot help. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
  /** The EventBridge event id, when the envelope had one: what an operator searches the logs for. */
  readonly envelopeId: string | undefined;

  constructor(message: string, envelopeId: string | undefined) {
    super(message);
    this.envelopeId = envelopeId;
  }
}

export interface UnwrappedEvent {
  /** The CloudTrail record (EventBridge's `detail`), not yet validated as CloudTrail: the normalizer does that. */
  readonly record: Record<string, unknown>;
  readonly envelope: EventBridgeEnvelopeInfo;
}

/**
 * Separates an EventBridge "AWS API Call via CloudTrail" event into the CloudTrail record and the
 * envelope metadata the alert keeps. Takes `unknown` because the Lambda's declared event type is
 * a promise by the caller, not a guarantee.
 */
export function unwrapEventBridgeEvent(event: unknown): UnwrappedEvent {
  if (!isPlainObject(event)) {
    throw new InvalidEventError(`EventBridge event must be a JSON object, got ${describe(event)}`, undefined);
  }
  const envelope: EventBridgeEnvelopeInfo = {
    id: optionalString(event.id),
    account: optionalString(event.account),
    region: optionalString(event.region),
    time: optionalString(event.time),
    source: optionalString(event.source),
    detailType: optionalString(event['detail-type']),
  };
  const { detail } = event;
  if (!isPlainObject(detail)) {
    throw new InvalidEventError(
      `EventBridge event ${envelope.id ?? '(without id)'} has no CloudTrail record: detail must be an object, got ${describe(detail)}`,
      envelope.id,
    );
  }
  return { record: detail, envelope: withoutUndefined(envelope) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/** Keeps absent envelope fields absent (rather than present-but-undefined) so alerts and snapshots stay clean. */
function withoutUndefined(envelope: EventBridgeEnvelopeInfo): EventBridgeEnvelopeInfo {
  return Object.fromEntries(Object.entries(envelope).filter(([, value]) => value !== undefined));
}

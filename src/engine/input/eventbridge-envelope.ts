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

/**
 * The account an event claims to come from, when it contradicts its own record: the envelope `account` (where
 * EventBridge received the event) differs from the record's `recipientAccountId` (the account CloudTrail delivered it
 * to). A CloudTrail event, also one forwarded from a member account to the central bus, keeps its envelope account,
 * which is the recipient's; a mismatch means the event was crafted, e.g. by a principal putting events on the
 * central bus in another account's name. Undefined when they agree or either is absent (nothing to compare).
 */
export function accountMismatch(record: Readonly<Record<string, unknown>>, envelope: EventBridgeEnvelopeInfo): { readonly envelopeAccount: string; readonly recipientAccountId: string } | undefined {
  const recipient = record.recipientAccountId;
  if (envelope.account === undefined || typeof recipient !== 'string' || recipient === '' || recipient === envelope.account) return undefined;
  return { envelopeAccount: envelope.account, recipientAccountId: recipient };
}

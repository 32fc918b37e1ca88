import { API_CALL_DETAIL_TYPE, SIGN_IN_DETAIL_TYPES } from '../../engine/eventbridge/cloudtrail-fields';

/** The CloudTrail detail-types the deployed EventBridge rules route to the detector (sign-ins for ConsoleLogin rules). */
const CLOUDTRAIL_DETAIL_TYPES: ReadonlySet<string> = new Set([API_CALL_DETAIL_TYPE, ...SIGN_IN_DETAIL_TYPES]);

/**
 * What a dead-lettered message holds. Two queues feed the redrive:
 * - the EventBridge target's dead-letter queue, whose body is the EventBridge event itself;
 * - the Lambda on-failure destination, whose body is an invocation record with the event under `requestPayload`.
 */
export type DeadLetter =
  | {
      readonly kind: 'event';
      readonly shape: 'eventbridge-event' | 'lambda-on-failure-record';
      /** The text to send to the function: the event exactly as it will be re-delivered. */
      readonly payload: string;
      readonly eventId: string | null;
      readonly eventName: string | null;
    }
  | { readonly kind: 'unrecognized'; readonly reason: string; readonly eventId: string | null; readonly eventName: string | null };

export function classifyMessage(body: string | undefined): DeadLetter {
  if (body === undefined || body === '') return unrecognized('message has no body');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return unrecognized('body is not JSON');
  }
  if (!isObject(parsed)) return unrecognized('body is not a JSON object');

  if ('requestContext' in parsed && 'requestPayload' in parsed) {
    const event = parsed.requestPayload;
    const problem = cloudTrailEventProblem(event);
    if (problem !== undefined) return unrecognized(`Lambda on-failure record whose requestPayload ${problem}`, event);
    return { kind: 'event', shape: 'lambda-on-failure-record', payload: JSON.stringify(event), ...identify(event) };
  }
  if ('detail-type' in parsed) {
    const problem = cloudTrailEventProblem(parsed);
    if (problem !== undefined) return unrecognized(`EventBridge event that ${problem}`, parsed);
    // Re-sent byte for byte: the event as EventBridge delivered it.
    return { kind: 'event', shape: 'eventbridge-event', payload: body, ...identify(parsed) };
  }
  return unrecognized('neither an EventBridge event nor a Lambda on-failure record (no "detail-type", no "requestPayload")');
}

/** Why the value is not a CloudTrail event as EventBridge delivers it, or undefined when it is one. */
function cloudTrailEventProblem(event: unknown): string | undefined {
  if (!isObject(event)) return 'is not a JSON object';
  const detailType = event['detail-type'];
  if (typeof detailType !== 'string' || !CLOUDTRAIL_DETAIL_TYPES.has(detailType)) {
    return typeof detailType === 'string'
      ? `has detail-type "${detailType}", not a CloudTrail one ("${API_CALL_DETAIL_TYPE}" or a console sign-in)`
      : `has no "detail-type" (expected "${API_CALL_DETAIL_TYPE}")`;
  }
  if (!isObject(event.detail)) return 'has no "detail" object';
  if (typeof event.detail.eventName !== 'string') return 'has no detail.eventName';
  return undefined;
}

/** The CloudTrail eventID (what alerts call event.id), else the EventBridge envelope id; and the eventName. */
function identify(event: unknown): { eventId: string | null; eventName: string | null } {
  if (!isObject(event)) return { eventId: null, eventName: null };
  const detail = isObject(event.detail) ? event.detail : {};
  const eventId = nonEmptyString(detail.eventID) ?? nonEmptyString(event.id) ?? null;
  return { eventId, eventName: nonEmptyString(detail.eventName) ?? null };
}

function unrecognized(reason: string, event?: unknown): DeadLetter {
  return { kind: 'unrecognized', reason, ...identify(event) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export { buildAlert } from './build-alert';
export { buildAlertNotification, MAX_MESSAGE_BYTES } from './alert-notification';
export { alertSubject, genericSubject, MAX_SUBJECT_LENGTH } from './alert-subject';
export { extractAlertFacts, type AlertFacts } from './alert-facts';
export { alertUuid } from './alert-id';
export { fitAlert } from './fit-alert';
export { sanitizeInline, sanitizeForSubject } from './sanitize-text';
export type { AlertDocument, AlertNotification, DetectionContext, EventBridgeEnvelopeInfo } from './alert-types';

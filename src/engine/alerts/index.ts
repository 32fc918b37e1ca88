export { buildAlert } from './build-alert';
export { buildAlertNotification, MAX_MESSAGE_BYTES, type AlertNotificationOptions } from './alert-notification';
export { alertSubject, genericSubject, MAX_SUBJECT_LENGTH } from './alert-subject';
export { accountLabel, extractAlertFacts, type AccountNames, type AlertFacts } from './alert-facts';
export { alertUuid } from './alert-id';
export { fitAlert } from './fit-alert';
export { sanitizeInline, sanitizeForSubject } from './sanitize-text';
export type { AlertDocument, AlertNotification, DetectionContext, EventBridgeEnvelopeInfo } from './alert-types';
export { suppressionNote, withSuppressionFields } from './suppression-fields';

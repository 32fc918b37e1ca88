/**
 * CloudWatch namespace of the handler's Embedded Metric Format lines (docs/exceptions.md, docs/organization.md),
 * shared with the stack's alarms on them; a file of its own so that synthesis loads no handler code.
 */
export const METRIC_NAMESPACE = 'CloudTrailStreamDetector';

/**
 * The construct library: `import { CloudTrailDetector } from 'cloudtrail-stream-detector'`.
 * The detection engine (rules, KQL, ECS normalization, alerts) is `cloudtrail-stream-detector/engine`.
 */
export { CloudTrailDetector, EXPIRED_EXCEPTIONS_WARNING_ID, UNSUPPORTED_RULES_WARNING_ID } from './cloudtrail-detector';
export type { CloudTrailDetectorProps, DetectorExceptionsProps, DetectorOrganizationProps } from './cloudtrail-detector-props';
export { DetectorRules, type LoadedRules } from './detector-rules';
export { DetectorConfigError } from './detector-config-error';
export { ForwarderStack, CENTRAL_BUS_ARN_PARAMETER, type ForwarderStackProps } from './forwarder-stack';
export { DetectorStack, type DetectorStackProps } from './detector-stack';
export { addPostureChecks } from './posture';
export { APPLICATION_TAG_KEY, APPLICATION_TAG_VALUE } from './tags';
export type { DetectionRule, UnsupportedRule } from '../src/engine/rules';

export { normalizeCloudTrail, ECS_VERSION, CLOUDTRAIL_DATASET } from './normalize-cloudtrail';
export type { NormalizeOptions } from './normalize-cloudtrail';
export { InvalidCloudTrailRecordError } from './errors';
export type { EcsDocument } from './ecs-document';

/**
 * The detection engine: pure TypeScript with no AWS SDK, shared by the Lambda (lambda/), the CLI (src/cli/) and
 * the CDK app (lib/), so all three detect exactly the same things.
 */
export * from './alerts';
export { createDetector, type Detection, type Detector, type DetectorOptions } from './detector';
export * from './enrichment';
export { normalizeCloudTrail } from './ecs';
export type { EcsDocument } from './ecs/ecs-document';
export { compileKql, parseKql } from './kql';
export {
  compileEventFilter,
  createSequenceMatcher,
  EqlSyntaxError,
  eqlToKqlSuperset,
  parseEql,
  runEql,
  type EqlCompileOptions,
  type EqlQuery,
  type SequenceKeyState,
  type SequenceMatch,
  type SequenceMatcher,
} from './eql';
export * from './rules';

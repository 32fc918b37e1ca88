import fc from 'fast-check';
import { normalizeCloudTrail } from '../../../src/engine/ecs';
import { compileEventPattern } from '../../../src/engine/eventbridge';
import { compileKql, parseKql } from '../../../src/engine/kql';
import { matchesEventPattern } from '../../support/eventbridge-matcher';
import { cloudTrailDeliveryArbitrary } from './cloudtrail-event-arbitrary';

const RECEIVED_AT = new Date('2024-10-10T15:18:00Z');

export interface SoundnessRun {
  /** How many generated records the query matched (a soundness check only says something about these). */
  readonly queryMatches: number;
  /** How many generated envelopes the pattern let through. */
  readonly patternMatches: number;
}

/**
 * Checks, on generated CloudTrail deliveries, that whenever the KQL query matches the normalized record the
 * compiled pattern matches the EventBridge envelope. Throws (with fast-check's shrunk counterexample) if not.
 */
export function assertPatternIsSound(query: string, numRuns = 300): SoundnessRun {
  const ast = parseKql(query);
  const matches = compileKql(ast);
  const { pattern } = compileEventPattern(ast);
  let queryMatches = 0;
  let patternMatches = 0;
  fc.assert(
    fc.property(cloudTrailDeliveryArbitrary(ast), ({ record, envelope }) => {
      const queryMatched = matches(normalizeCloudTrail(record, { receivedAt: RECEIVED_AT }));
      const patternMatched = matchesEventPattern(pattern, envelope);
      if (queryMatched) queryMatches++;
      if (patternMatched) patternMatches++;
      return !queryMatched || patternMatched;
    }),
    { numRuns, seed: 20241010 },
  );
  return { queryMatches, patternMatches };
}

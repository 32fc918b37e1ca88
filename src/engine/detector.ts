import { buildAlert } from './alerts/build-alert';
import type { AlertDocument, DetectionContext } from './alerts/alert-types';
import { normalizeCloudTrail } from './ecs';
import type { EcsDocument } from './ecs/ecs-document';
import type { Enrichment } from './enrichment/enrichment';
import { createRuleIndex } from './rule-index';
import type { CompiledRule } from './rules/detection-rule';

export interface Detection {
  readonly rule: CompiledRule;
  readonly alert: AlertDocument;
  /** The normalized ECS document the rule matched: what exception items are evaluated against. */
  readonly document: EcsDocument;
}

export interface Detector {
  readonly rules: readonly CompiledRule[];
  /** Normalizes one CloudTrail record and returns one detection per matching rule. */
  detect(record: unknown, context: DetectionContext): Detection[];
}

/**
 * Detections are the same as testing every rule against every normalized record, but a rule index first narrows
 * the rules to those whose required `event.provider` / `event.action` fit the raw record, and a record no rule
 * can match is never normalized at all: most of a trail matches nothing, and normalization is the costly part.
 */
export interface DetectorOptions {
  /** GeoIP/ASN lookups and user-agent parsing for normalization; none: those fields stay unset. */
  readonly enrichment?: Enrichment;
}

export function createDetector(rules: readonly CompiledRule[], options: DetectorOptions = {}): Detector {
  const index = createRuleIndex(rules);
  return {
    rules,
    detect(record, context) {
      // Undefined for a non-object record: normalizing it below raises the same error as without the index.
      const candidates = index.candidatesFor(record);
      if (candidates !== undefined && candidates.length === 0) return [];
      const document = normalizeCloudTrail(record, {
        receivedAt: context.receivedAt,
        original: context.original,
        envelope: context.envelope,
        enrichment: options.enrichment,
      });
      const detections: Detection[] = [];
      for (const rule of candidates ?? rules) {
        if (rule.matches(document)) {
          detections.push({ rule, alert: buildAlert(rule.rule, document, context), document });
        }
      }
      return detections;
    },
  };
}

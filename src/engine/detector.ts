import { buildAlert } from './alerts/build-alert';
import type { AlertDocument, DetectionContext } from './alerts/alert-types';
import { normalizeCloudTrail } from './ecs';
import type { CompiledRule } from './rules/detection-rule';

export interface Detection {
  readonly rule: CompiledRule;
  readonly alert: AlertDocument;
}

export interface Detector {
  readonly rules: readonly CompiledRule[];
  /** Normalizes one CloudTrail record and returns one detection per matching rule. */
  detect(record: unknown, context: DetectionContext): Detection[];
}

export function createDetector(rules: readonly CompiledRule[]): Detector {
  return {
    rules,
    detect(record, context) {
      const document = normalizeCloudTrail(record, {
        receivedAt: context.receivedAt,
        original: context.original,
        envelope: context.envelope,
      });
      const detections: Detection[] = [];
      for (const rule of rules) {
        if (rule.matches(document)) {
          detections.push({ rule, alert: buildAlert(rule.rule, document, context) });
        }
      }
      return detections;
    },
  };
}

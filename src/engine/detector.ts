import { alertEventIdOf, buildAlert } from './alerts/build-alert';
import type { AlertDocument, DetectionContext } from './alerts/alert-types';
import { getText } from './alerts/field-access';
import { withNewTermsFields, withThresholdFields } from './alerts/stateful-fields';
import { normalizeCloudTrail } from './ecs';
import { NORMALIZATION_STEPS, runSteps, stepsFor, type NormalizationStep } from './ecs/normalize-cloudtrail';
import type { EcsDocument } from './ecs/ecs-document';
import type { Enrichment } from './enrichment/enrichment';
import { createRuleIndex } from './rule-index';
import type { CompiledRule, DetectionRule } from './rules/detection-rule';
import { isSequenceRule } from './rules/eql-rule';
import { buildSequenceAlert } from './alerts/sequence-fields';
import type { StateStore } from './state/state-store';
import { BaselineCoverage, type BaselineCoverageOptions } from './stateful/baseline-coverage';
import { evaluateStatefulRule, isStatefulRule, type StatefulFinding, type StatefulOptions } from './stateful/evaluate-stateful';
import { evaluateSequenceRule, type SequenceFinding, type SequenceRuleRuntime } from './stateful/evaluate-sequence';
import { sequenceIdentity } from './stateful/sequence';
import { sequenceEventOf, sequenceRuntimeOf } from './stateful/sequence-rule';
import { shortHash } from './stateful/state-keys';

export interface Detection {
  readonly rule: CompiledRule;
  readonly alert: AlertDocument;
  /** The normalized ECS document the rule matched: what exception items are evaluated against. */
  readonly document: EcsDocument;
  /**
   * Tells one rule's alerts on one event apart: '' for a query rule (one alert per rule and event); for a new_terms
   * or threshold rule, a digest of the term or group (`nt-…`, `th-…`), since one event can bring several new terms or
   * cross several groups. Delivery and de-duplication key on (rule, event, alertKey).
   */
  readonly alertKey: string;
  /**
   * What alert suppression groups by, when not `document`: an EQL sequence's alert, whose ECS fields are what its
   * steps share (Elastic suppresses sequences on the sequence alert's values, not on one event's).
   */
  readonly suppressionSource?: EcsDocument;
}

/** The document a detection's alert suppression reads its group_by fields from. */
export function suppressionDocumentOf(detection: Detection): EcsDocument {
  return detection.suppressionSource ?? detection.document;
}

export interface DetectorOptions {
  /** GeoIP/ASN lookups and user-agent parsing for normalization; none: those fields stay unset. */
  readonly enrichment?: Enrichment;
  /** Where new_terms, threshold and EQL sequence rules keep their state; required when the rules include one. */
  readonly state?: StateStore;
  readonly stateful?: StatefulOptions;
  /** Overrides the sequences' lateness allowance (lateness.ts), for tests. */
  readonly sequenceLatenessMs?: number;
  /**
   * Exceptions of stateful rules, applied before their state as Elastic applies them to its searches: an excepted
   * event is neither a sighting nor counted. (Query rules' exceptions are applied after detection, where the doors
   * record the suppressed match.)
   */
  readonly isExcepted?: (rule: DetectionRule, document: EcsDocument) => boolean;
  /** Told the event time of every event that reaches a stateful rule (scan's in-memory store expires by it). */
  readonly observeEventTime?: (time: number) => void;
  readonly coverage?: BaselineCoverageOptions;
}

export interface Detector {
  readonly rules: readonly CompiledRule[];
  /** Normalizes one CloudTrail record and returns the alerts of every rule it matches (stateful ones via the state). */
  detect(record: unknown, context: DetectionContext): Promise<Detection[]>;
}

/**
 * Detections are the same as testing every rule against every normalized record, but a rule index first narrows
 * the rules to those whose required values (`event.provider`, `event.action`, the user's type, ...) fit the raw
 * record, a record no rule can match is never normalized at all, and the others are first normalized only as far as
 * the candidate rules' queries read (`fieldsRead`): most of a trail matches nothing, and normalization is the costly
 * part. Alerts, exceptions and stateful rules always see the whole document.
 * A new_terms or threshold rule that matches goes on to its state (docs/stateful-rules.md).
 */
export function createDetector(rules: readonly CompiledRule[], options: DetectorOptions = {}): Detector {
  const index = createRuleIndex(rules);
  const { state } = options;
  const statefulRules = rules.filter((compiled) => needsState(compiled));
  if (statefulRules.length > 0 && state === undefined) {
    const names = statefulRules.slice(0, 3).map((compiled) => `"${compiled.rule.name}"`).join(', ');
    throw new Error(`${statefulRules.length} rule(s) (${names}${statefulRules.length > 3 ? ', ...' : ''}) are new_terms, threshold or eql sequence rules and need a state store`);
  }
  const sequences = new Map<CompiledRule, SequenceRuleRuntime>();
  for (const compiled of rules) {
    const runtime = sequenceRuntimeOf(compiled);
    if (runtime) sequences.set(compiled, runtime);
  }
  const newTermsRuleIds = statefulRules.filter((compiled) => compiled.rule.newTerms).map((compiled) => compiled.rule.ruleId);
  const coverage = state && newTermsRuleIds.length > 0 ? new BaselineCoverage(state, newTermsRuleIds, options.coverage) : undefined;

  const plans = new WeakMap<readonly CompiledRule[], readonly NormalizationStep[] | 'all'>();
  /** The normalization steps the rules' queries depend on ('all': every step), derived once per candidate list. */
  function planFor(candidates: readonly CompiledRule[]): readonly NormalizationStep[] | 'all' {
    let plan = plans.get(candidates);
    if (plan === undefined) {
      const fields = new Set<string>();
      let everything = false;
      for (const rule of candidates) {
        if (rule.fieldsRead === undefined || rule.fieldsRead === 'all') everything = true;
        else for (const field of rule.fieldsRead) fields.add(field);
      }
      const steps = everything ? NORMALIZATION_STEPS : stepsFor([...fields]);
      plan = steps.length === NORMALIZATION_STEPS.length ? 'all' : steps;
      plans.set(candidates, plan);
    }
    return plan;
  }

  return {
    rules,
    async detect(record, context) {
      // Undefined for a non-object record: normalizing it below raises the same error as without the index.
      const indexed = index.candidatesFor(record);
      if (indexed !== undefined && indexed.length === 0) return [];
      const candidates = indexed ?? rules;
      const normalizeOptions = { receivedAt: context.receivedAt, original: context.original, envelope: context.envelope, enrichment: options.enrichment };
      // Only the fields the candidate rules read first (most events match nothing); the whole document for the alert.
      const plan = planFor(candidates);
      let document = plan === 'all' ? normalizeCloudTrail(record, normalizeOptions) : runSteps(record, normalizeOptions, plan);
      const matched = candidates.filter((rule) => rule.matches(document));
      if (matched.length === 0) return [];
      if (plan !== 'all') document = normalizeCloudTrail(record, normalizeOptions);
      if (!matched.some(needsState)) {
        return matched.map((rule) => ({ rule, alert: buildAlert(rule.rule, document, context), document, alertKey: '' }));
      }

      const eventId = alertEventIdOf(document);
      const time = Date.parse(getText(document, '@timestamp') ?? '');
      options.observeEventTime?.(time);
      await coverage?.register(time);
      const perRule = await Promise.all(
        matched.map(async (rule): Promise<Detection[]> => {
          if (!needsState(rule)) return [{ rule, alert: buildAlert(rule.rule, document, context), document, alertKey: '' }];
          if (options.isExcepted?.(rule.rule, document)) return [];
          const sequence = sequences.get(rule);
          // A baseline only records new_terms sightings.
          if (sequence) return options.stateful?.recordOnly ? [] : sequenceDetections(rule, sequence, document, context, eventId);
          const { findings } = await evaluateStatefulRule(rule.rule, document, { eventId, time }, state as StateStore, options.stateful);
          return Promise.all(findings.map((finding) => statefulDetection(rule, document, context, eventId, time, finding)));
        }),
      );
      return perRule.flat();
    },
  };

  async function sequenceDetections(
    rule: CompiledRule,
    runtime: SequenceRuleRuntime,
    document: EcsDocument,
    context: DetectionContext,
    eventId: string,
  ): Promise<Detection[]> {
    const event = sequenceEventOf(rule, document, eventId);
    if (event === undefined) return [];
    const latenessMs = options.sequenceLatenessMs;
    const { findings } = await evaluateSequenceRule(runtime, document, event, state as StateStore, latenessMs === undefined ? {} : { latenessMs });
    return findings.map((finding) => sequenceDetection(rule, runtime, document, context, finding));
  }

  async function statefulDetection(
    rule: CompiledRule,
    document: EcsDocument,
    context: DetectionContext,
    eventId: string,
    time: number,
    finding: StatefulFinding,
  ): Promise<Detection> {
    const alert = buildAlert(rule.rule, document, context);
    if (finding.kind === 'new_terms') {
      const alertKey = `nt-${shortHash(JSON.stringify(finding.values), 16)}`;
      const window = rule.rule.newTerms?.historyWindowMs ?? 0;
      const coveredSince = await (coverage as BaselineCoverage).coveredSince(rule.rule.ruleId, time, window);
      return { rule, document, alertKey, alert: withNewTermsFields(alert, rule.rule, eventId, alertKey, finding.values, { coveredSince }) };
    }
    const alertKey = `th-${shortHash(JSON.stringify(finding.terms.map((term) => term.value)), 16)}`;
    return { rule, document, alertKey, alert: withThresholdFields(alert, rule.rule, eventId, alertKey, finding.terms, finding.crossing) };
  }
}

/** Rules whose alerts come from the state: new_terms, threshold, EQL sequences. */
function needsState(compiled: CompiledRule): boolean {
  return isStatefulRule(compiled.rule) || isSequenceRule(compiled.rule);
}

/**
 * A sequence's alert. Its identity is the sequence, whichever event found it: the alert key is a digest of its
 * events, and the shell's event (delivery's archive key) is its last step, so finding it again can never deliver
 * it twice.
 */
function sequenceDetection(rule: CompiledRule, runtime: SequenceRuleRuntime, document: EcsDocument, context: DetectionContext, finding: SequenceFinding): Detection {
  const maxspan = runtime.matcher.query.maxspan;
  const alert = buildSequenceAlert(rule.rule, finding, context, maxspan ? { maxspan: maxspan.text, maxspanMs: maxspan.milliseconds } : {});
  return { rule, document, alertKey: `sq-${shortHash(sequenceIdentity(finding.sequence), 16)}`, alert, suppressionSource: alert as EcsDocument };
}

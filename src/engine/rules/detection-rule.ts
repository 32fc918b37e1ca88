import type { EqlCompileOptions } from '../eql/compile-condition';
import type { EqlQuery } from '../eql/ast';
import type { KqlNode } from '../kql/ast';

export type Severity = 'low' | 'medium' | 'high' | 'critical';

export interface ThreatReference {
  readonly id: string;
  readonly name: string;
  readonly reference: string;
}

export interface ThreatTechnique extends ThreatReference {
  readonly subtechnique: readonly ThreatReference[];
}

/** One `[[rule.threat]]` entry of Elastic's schema. */
export interface ThreatMapping {
  readonly framework: string;
  readonly tactic: ThreatReference;
  readonly technique: readonly ThreatTechnique[];
}

/** One `exceptions_list` entry of a rule: a reference to a shared or rule-default exception list. */
export interface RuleExceptionListReference {
  /** Kibana's saved-object id of the list, when the rule was exported from Kibana; informational only. */
  readonly id?: string;
  readonly listId: string;
  readonly namespaceType: 'single' | 'agnostic';
  /** `detection`, `rule_default`, `endpoint`... */
  readonly type: string;
}

export type SuppressionUnit = 's' | 'm' | 'h';

/** `[rule.alert_suppression]`: suppress repeated alerts that share the values of up to three fields. */
export interface AlertSuppressionConfig {
  readonly groupBy: readonly string[];
  readonly duration: { readonly value: number; readonly unit: SuppressionUnit };
  /** `suppress`: a missing field groups as null; `doNotSuppress`: an alert missing any group_by field is never suppressed. */
  readonly missingFieldsStrategy: 'suppress' | 'doNotSuppress';
}

/**
 * `[rule.new_terms]` of a `new_terms` rule: alert on the first sighting of a value (or combination of values) of
 * these fields within the history window (../shared/reference/stateful-rules.md, docs/stateful-rules.md).
 */
export interface NewTermsConfig {
  /** `value = [...]`: 1 to 3 field names, in the order `kibana.alert.new_terms` lists their values. */
  readonly fields: readonly string[];
  /** `[[rule.new_terms.history_window_start]] value`, as written, e.g. `now-7d`. */
  readonly historyWindowStart: string;
  /** The same as a duration H in milliseconds: a sighting within H of an event (either side) makes it not new. */
  readonly historyWindowMs: number;
}

/** `[[rule.threshold.cardinality]]`: the group must also hold at least `value` distinct values of `field`. */
export interface ThresholdCardinality {
  readonly field: string;
  readonly value: number;
}

/** `[rule.threshold]` of a `threshold` rule: alert when a group's count in the rule's window reaches `value`. */
export interface ThresholdConfig {
  /** Group-by fields (0 to 3, or 5 for rules made for Elastic 9.2 and later); none = one group for every event. */
  readonly fields: readonly string[];
  /** N: the number of matching events (after the group's last alert) the window must hold. */
  readonly value: number;
  /** At most one entry (Elastic's limit). */
  readonly cardinality: readonly ThresholdCardinality[];
  /** The rule's `from` look-back as a duration W in milliseconds: the sliding window. */
  readonly windowMs: number;
}

/**
 * A detection rule as written in Elastic's detection-rules TOML schema, validated.
 * Field names are camelCase versions of the TOML keys.
 */
export interface DetectionRule {
  /** Path of the TOML file it came from, for error messages and the audit report. */
  readonly sourceFile: string;
  readonly ruleId: string;
  readonly name: string;
  readonly description: string;
  readonly author: readonly string[];
  readonly severity: Severity;
  readonly riskScore: number;
  readonly type: string;
  readonly language: string;
  readonly query: string;
  readonly from: string;
  readonly interval: string;
  readonly index: readonly string[];
  readonly tags: readonly string[];
  readonly references: readonly string[];
  readonly falsePositives: readonly string[];
  readonly note: string;
  readonly threat: readonly ThreatMapping[];
  readonly license?: string;
  readonly version?: number;
  readonly timestampOverride?: string;
  /** EQL rules only (`event_category_override`): the field `category where` reads instead of `event.category`. */
  readonly eventCategoryOverride?: string;
  /** EQL rules only (`tiebreaker_field`): orders a sequence's events that share a timestamp. */
  readonly tiebreakerField?: string;
  /** EQL rules only (`timestamp_field`): the time a sequence's events are ordered by (Elastic's default `@timestamp`). */
  readonly timestampField?: string;
  /** Fields the alert should surface first (`[rule.investigation_fields] field_names`). */
  readonly investigationFields: readonly string[];
  /** Exception lists the rule names itself (`exceptions_list`); empty when it names none. */
  readonly exceptionsList: readonly RuleExceptionListReference[];
  /** Alert suppression (`[rule.alert_suppression]`), when configured. */
  readonly alertSuppression?: AlertSuppressionConfig;
  /** Present exactly when `type = "new_terms"`. */
  readonly newTerms?: NewTermsConfig;
  /** Present exactly when `type = "threshold"`. */
  readonly threshold?: ThresholdConfig;
  readonly metadata: {
    readonly creationDate: string;
    readonly updatedDate: string;
    readonly maturity: string;
    readonly integration: readonly string[];
  };
}

/** An EQL rule's query, parsed, with the options every EQL function of the engine takes for this rule. */
export interface CompiledEql {
  /** `kind: 'event'` for a single-event rule, `kind: 'sequence'` (stages, by keys, maxspan, until) for a sequence. */
  readonly query: EqlQuery;
  /** `eventCategoryField` from the rule's `event_category_override`. */
  readonly options: EqlCompileOptions;
}

/** A rule whose query has been parsed and is ready to evaluate. */
export interface CompiledRule {
  readonly rule: DetectionRule;
  /**
   * A KQL rule's query. For an EQL rule, a KQL tree matching every document the EQL query (any stage of a
   * sequence) can match (`eqlToKqlSuperset`): what the rule index and raw prefilter read, which are sound for any
   * superset. Never evaluate it as the rule: `matches` is the rule.
   */
  readonly ast: KqlNode;
  /** Present exactly for an EQL rule (`language = "eql"`). */
  readonly eql?: CompiledEql;
  /**
   * Whether the document matches the rule's query. For a sequence rule: whether the document can take part in the
   * sequence (it matches a stage or `until`); the sequence itself needs the state (src/engine/stateful).
   */
  readonly matches: (document: unknown) => boolean;
  /**
   * The document fields `matches` can read (dotted paths; an object's path covers what is under it), so the detector
   * normalizes only those before testing the rule. `'all'` or absent: the whole document.
   */
  readonly fieldsRead?: readonly string[] | 'all';
}

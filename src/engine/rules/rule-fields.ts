/**
 * Keys of Elastic's detection-rules TOML schema. Rules from Elastic's repository use many keys we do not act on;
 * they are accepted so those files load unchanged, while a misspelt key is reported instead of silently ignored.
 */
export const KNOWN_RULE_KEYS: ReadonlySet<string> = new Set([
  'actions', 'alert_suppression', 'author', 'building_block_type', 'data_view_id', 'description', 'enabled',
  'event_category_override', 'exceptions_list', 'false_positives', 'filters', 'from', 'index', 'interval',
  'investigation_fields', 'language', 'license', 'max_signals', 'meta', 'name', 'namespace', 'new_terms', 'note', 'output_index', 'query', 'references',
  'related_integrations', 'required_fields', 'risk_score', 'risk_score_mapping', 'rule_id', 'rule_name_override',
  'saved_id', 'setup', 'severity', 'severity_mapping', 'tags', 'threat', 'threshold', 'throttle', 'tiebreaker_field',
  'timeline_id', 'timeline_title', 'timestamp_field', 'timestamp_override', 'to', 'type', 'version',
]);

export const KNOWN_METADATA_KEYS: ReadonlySet<string> = new Set([
  'bypass_bbr_timing', 'comments', 'creation_date', 'deprecation_date', 'integration', 'maturity',
  'min_stack_comments', 'min_stack_version', 'query_schema_validation', 'updated_date',
]);

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const MATURITIES = ['development', 'experimental', 'beta', 'production', 'deprecated'] as const;

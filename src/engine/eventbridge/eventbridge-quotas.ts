/**
 * EventBridge quotas the CloudTrail trigger is planned against (see docs/eventbridge-patterns.md for the sources).
 * All values are the documented defaults for the default event bus, per account per Region.
 */

/** "Event pattern size": maximum size of an event pattern, in characters (default 2,048; adjustable). */
export const EVENT_PATTERN_MAX_CHARS = 2048;

/**
 * What the grouping packs each combined pattern into: the quota less ~12% for serialization differences
 * (CloudFormation may re-serialize the JSON; we measure the compact `JSON.stringify` form).
 */
export const EVENT_PATTERN_PACKING_BUDGET = 1800;

/** "Rules": maximum rules per event bus (300 in most Regions, 100 in af-south-1 and eu-south-1). */
export const RULES_PER_BUS_QUOTA = 300;
export const RULES_PER_BUS_QUOTA_SMALLEST_REGION = 100;

/**
 * How many EventBridge rules this stack allows itself on the default bus: half of the smallest regional default,
 * leaving the rest for the customer's own rules. The synth fails beyond it.
 */
export const STACK_RULE_BUDGET = 50;

/** "Rules containing wildcards": 30 per event bus, not adjustable. This stack allows itself a third of it. */
export const WILDCARD_RULES_PER_BUS_QUOTA = 30;
export const STACK_WILDCARD_RULE_BUDGET = 10;

/** PutTargets: "Each rule can have up to five (5) targets associated with it at one time." */
export const TARGETS_PER_RULE_QUOTA = 5;

/** AWS::Events::Rule `Description`: at most 512 characters. */
export const RULE_DESCRIPTION_MAX_CHARS = 512;

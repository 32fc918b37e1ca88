import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { compileRulePattern, type EventPattern } from '../../src/engine/eventbridge';
import {
  EVENT_PATTERN_MAX_CHARS,
  STACK_RULE_BUDGET,
  STACK_WILDCARD_RULE_BUDGET,
  TARGETS_PER_RULE_QUOTA,
} from '../../src/engine/eventbridge/eventbridge-quotas';
import { groupPatterns, type PatternGroup, patternSize } from '../../src/engine/eventbridge/group-patterns';
import type { CompiledRule } from '../../src/engine/rules';

export interface CloudTrailRuleTriggerProps {
  readonly rules: readonly CompiledRule[];
  readonly target: lambda.IFunction;
  /** The bus the rules listen on: the default bus, or the central bus in organization mode. */
  readonly eventBus?: events.IEventBus;
  /** Where EventBridge puts events it could not deliver to the function (its key must allow events.amazonaws.com). */
  readonly deadLetterQueue: sqs.IQueue;
}

/**
 * EventBridge's retry policy for handing an event to the function (the maxima: 24 h, 185 attempts). Delivery to Lambda
 * is an asynchronous invoke, so this covers only failures to *invoke* (throttled Invoke API, service errors); events
 * failing for good (missing permission, deleted function) or beyond this go to the dead-letter queue.
 */
export const TARGET_MAX_EVENT_AGE = Duration.hours(24);
export const TARGET_RETRY_ATTEMPTS = 185;

/**
 * EventBridge rules on the default bus that send the detector function every CloudTrail event one of the detection
 * rules may match. Each detection rule's KQL query is compiled into a pattern; the patterns are grouped per AWS
 * service and combined with `$or` into as few EventBridge rules as the pattern-size quota allows
 * (src/engine/eventbridge/group-patterns.ts), so a rule pack of any size stays within the per-bus rule quota.
 * Each EventBridge rule's description lists the detection rule ids it covers. A pattern is only a pre-filter:
 * the function re-evaluates the full query on every event. The synth fails if a quota would be exceeded.
 */
export class CloudTrailRuleTrigger extends Construct {
  readonly eventRules: events.Rule[] = [];
  readonly groups: readonly PatternGroup[];

  constructor(scope: Construct, id: string, props: CloudTrailRuleTriggerProps) {
    super(scope, id);
    this.groups = cloudTrailPatternGroups(props.rules);
    for (const { group, id: ruleId } of ruleConstructIds(this.groups)) {
      const eventRule = new events.Rule(this, ruleId, {
        description: group.description,
        eventPattern: toCdkEventPattern(group.pattern),
        eventBus: props.eventBus,
      });
      eventRule.addTarget(
        new targets.LambdaFunction(props.target, {
          deadLetterQueue: props.deadLetterQueue,
          maxEventAge: TARGET_MAX_EVENT_AGE,
          retryAttempts: TARGET_RETRY_ATTEMPTS,
        }),
      );
      this.eventRules.push(eventRule);
    }
  }
}

/**
 * The EventBridge pattern groups for a rule pack: each rule's query (KQL or EQL) compiled to a pattern, grouped per AWS service
 * and combined with `$or` (src/engine/eventbridge/group-patterns.ts); fails if a quota would be exceeded. Shared by
 * the detector's triggers and the organization forwarder, so both select exactly the same events.
 */
export function cloudTrailPatternGroups(rules: readonly CompiledRule[]): readonly PatternGroup[] {
  const groups = groupPatterns(
    rules.map((compiled) => ({
      ruleId: compiled.rule.ruleId,
      name: compiled.rule.name,
      pattern: compileRulePattern(compiled).pattern,
    })),
  );
  checkQuotas(groups);
  return groups;
}

/** Each group with its construct id (`Service-aws.rds`, `Service-aws.iam-2`, …), stable for a given pack. */
export function ruleConstructIds(groups: readonly PatternGroup[]): Array<{ group: PatternGroup; id: string }> {
  const countByService = new Map<string, number>();
  return groups.map((group) => {
    const index = (countByService.get(group.service) ?? 0) + 1;
    countByService.set(group.service, index);
    return { group, id: constructId(group, index) };
  });
}

const TARGETS_PER_RULE = 1;

function checkQuotas(groups: readonly PatternGroup[]): void {
  const problems: string[] = [];
  if (groups.length > STACK_RULE_BUDGET) {
    problems.push(`${groups.length} EventBridge rules needed, more than this stack's budget of ${STACK_RULE_BUDGET} per bus`);
  }
  const wildcardRules = groups.filter((group) => JSON.stringify(group.pattern).includes('"wildcard"')).length;
  if (wildcardRules > STACK_WILDCARD_RULE_BUDGET) {
    problems.push(`${wildcardRules} EventBridge rules use wildcards, more than this stack's budget of ${STACK_WILDCARD_RULE_BUDGET}`);
  }
  for (const group of groups) {
    const size = patternSize(group.pattern);
    if (size > EVENT_PATTERN_MAX_CHARS) {
      problems.push(`the pattern of ${group.members.map((member) => member.ruleId).join(', ')} is ${size} characters (quota ${EVENT_PATTERN_MAX_CHARS})`);
    }
  }
  if (TARGETS_PER_RULE > TARGETS_PER_RULE_QUOTA) problems.push('too many targets per rule');
  if (problems.length > 0) throw new Error(`EventBridge quotas exceeded: ${problems.join('; ')}`);
}

/** `Service-aws.iam`, `Service-aws.iam-2`, … (the logical ID keeps only the alphanumerics, plus a path hash). */
function constructId(group: PatternGroup, index: number): string {
  const label = group.service.replace(/[^A-Za-z0-9.,_-]/g, '').slice(0, 60) || 'any';
  return index === 1 ? `Service-${label}` : `Service-${label}-${index}`;
}

/**
 * CDK's EventPattern spells `detail-type` as `detailType` and passes every other key (`$or` included) through
 * unchanged into the template.
 */
export function toCdkEventPattern(pattern: EventPattern): events.EventPattern {
  const { 'detail-type': detailType, ...rest } = pattern;
  return { ...rest, ...(detailType ? { detailType } : {}) } as events.EventPattern;
}

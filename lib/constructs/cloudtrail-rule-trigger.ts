import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { compileEventPattern, type EventPattern } from '../../src/engine/eventbridge';
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
}

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
    this.groups = groupPatterns(
      props.rules.map((compiled) => ({
        ruleId: compiled.rule.ruleId,
        name: compiled.rule.name,
        pattern: compileEventPattern(compiled.ast).pattern,
      })),
    );
    checkQuotas(this.groups);
    const countByService = new Map<string, number>();
    for (const group of this.groups) {
      const index = (countByService.get(group.service) ?? 0) + 1;
      countByService.set(group.service, index);
      const eventRule = new events.Rule(this, constructId(group, index), {
        description: group.description,
        eventPattern: toCdkEventPattern(group.pattern),
      });
      eventRule.addTarget(new targets.LambdaFunction(props.target));
      this.eventRules.push(eventRule);
    }
  }
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
function toCdkEventPattern(pattern: EventPattern): events.EventPattern {
  const { 'detail-type': detailType, ...rest } = pattern;
  return { ...rest, ...(detailType ? { detailType } : {}) } as events.EventPattern;
}

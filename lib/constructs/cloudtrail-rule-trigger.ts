import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { compileEventPattern, type EventPattern } from '../../src/engine/eventbridge';
import type { CompiledRule } from '../../src/engine/rules';

export interface CloudTrailRuleTriggerProps {
  readonly rules: readonly CompiledRule[];
  readonly target: lambda.IFunction;
}

/**
 * One EventBridge rule on the default bus per detection rule, with the pattern compiled from its KQL query, so each
 * rule's pre-filter can be read (and tested) on its own. The function re-evaluates the full query on every event.
 */
export class CloudTrailRuleTrigger extends Construct {
  readonly eventRules: events.Rule[] = [];

  constructor(scope: Construct, id: string, props: CloudTrailRuleTriggerProps) {
    super(scope, id);
    for (const compiled of props.rules) {
      const { pattern } = compileEventPattern(compiled.ast);
      const eventRule = new events.Rule(this, `Rule-${compiled.rule.ruleId}`, {
        description: `${compiled.rule.name} (${compiled.rule.ruleId})`.slice(0, 512),
        eventPattern: toCdkEventPattern(pattern),
      });
      eventRule.addTarget(new targets.LambdaFunction(props.target));
      this.eventRules.push(eventRule);
    }
  }
}

/**
 * CDK's EventPattern spells `detail-type` as `detailType` and passes every other key (`$or` included) through
 * unchanged into the template.
 */
function toCdkEventPattern(pattern: EventPattern): events.EventPattern {
  const { 'detail-type': detailType, ...rest } = pattern;
  return { ...rest, ...(detailType ? { detailType } : {}) } as events.EventPattern;
}

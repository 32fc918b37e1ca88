import { Aws } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { PatternGroup } from '../../src/engine/eventbridge/group-patterns';
import { ruleConstructIds, TARGET_MAX_EVENT_AGE, TARGET_RETRY_ATTEMPTS, toCdkEventPattern } from './cloudtrail-rule-trigger';
import { deadLetterQueue } from './dead-letter-queue';
import { eventBridgeDeadLetterKeyStatement } from './event-bridge-dead-letter-key';
import { FORWARDER_ROLE_NAME_PREFIX } from '../organization';

export interface EventForwarderProps {
  /** The detector's pattern groups (`cloudTrailPatternGroups`): the forwarder selects exactly what the detector does. */
  readonly groups: readonly PatternGroup[];
  /** The central event bus; may be in another account and/or region (a token, e.g. a CloudFormation parameter). */
  readonly targetBusArn: string;
  /**
   * Where EventBridge puts events it could not put on the central bus. Default: a dedicated SQS queue encrypted with
   * a dedicated customer-managed key (what the member-account template uses).
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * EventBridge rules on this account's default bus — one per pattern group, the same groups and patterns as the
 * detector's triggers — that put every matching CloudTrail event on the central bus. The event keeps its envelope
 * (`account`, `region`, `detail`): the detector sees where it happened. Cross-account and cross-region bus targets
 * need an execution role; this one may only `events:PutEvents` on the central bus, and only EventBridge rules of
 * this account may assume it; it is named `CloudTrailDetectorForwarder-<region>`, the only principal the central bus
 * admits. Retry policy at the maxima (24 h, 185 attempts), then the dead-letter queue.
 */
export class EventForwarder extends Construct {
  readonly role: iam.Role;
  readonly deadLetterQueue: sqs.IQueue;
  readonly eventRules: events.Rule[] = [];
  /** Only when the forwarder made its own queue. */
  readonly key?: kms.Key;

  constructor(scope: Construct, id: string, props: EventForwarderProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      // The central bus policy admits this name only (docs/organization.md): the template needs CAPABILITY_NAMED_IAM.
      roleName: `${FORWARDER_ROLE_NAME_PREFIX}${Aws.REGION}`,
      description: 'Lets the CloudTrail detector forwarding rules put matching events on the central event bus',
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      inlinePolicies: {
        PutEventsOnCentralBus: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [props.targetBusArn] })],
        }),
      },
    });
    if (props.deadLetterQueue) {
      this.deadLetterQueue = props.deadLetterQueue;
    } else {
      const { key, queue } = forwarderDeadLetterQueue(this);
      this.key = key;
      this.deadLetterQueue = queue;
    }
    const target = new CentralBusTarget(props.targetBusArn, this.role, this.deadLetterQueue);
    for (const { group, id: ruleId } of ruleConstructIds(props.groups)) {
      const eventRule = new events.Rule(this, ruleId, {
        description: `Forwards to the central detector bus: ${group.description}`.slice(0, 512),
        eventPattern: toCdkEventPattern(group.pattern),
      });
      eventRule.addTarget(target);
      this.eventRules.push(eventRule);
    }
  }
}

/** An event-bus target with a given role, a dead-letter queue and a retry policy (CDK's EventBus target has no retry). */
class CentralBusTarget implements events.IRuleTarget {
  constructor(
    private readonly busArn: string,
    private readonly role: iam.IRole,
    private readonly queue: sqs.IQueue,
  ) {}

  bind(rule: events.IRule): events.RuleTargetConfig {
    targets.addToDeadLetterQueueResourcePolicy(rule, this.queue);
    return {
      arn: this.busArn,
      role: this.role,
      deadLetterConfig: { arn: this.queue.queueArn },
      retryPolicy: {
        maximumEventAgeInSeconds: TARGET_MAX_EVENT_AGE.toSeconds(),
        maximumRetryAttempts: TARGET_RETRY_ATTEMPTS,
      },
    };
  }
}

function forwarderDeadLetterQueue(scope: Construct): { key: kms.Key; queue: sqs.Queue } {
  const key = new kms.Key(scope, 'Key', {
    description: 'Encrypts the CloudTrail detector forwarder dead-letter queue (events not delivered to the central bus)',
    enableKeyRotation: true,
  });
  key.addToResourcePolicy(eventBridgeDeadLetterKeyStatement());
  const queue = deadLetterQueue(scope, 'DeadLetterQueue', {
    key,
    holds: 'EventBridge target DLQ of the rules forwarding CloudTrail events to the central detector bus',
    watchedBy: 'the member-account baseline alarm this template leaves to the organization (docs/organization.md)',
  });
  return { key, queue };
}

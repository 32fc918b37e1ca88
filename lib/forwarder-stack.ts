import { BootstraplessSynthesizer, CfnOutput, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { cloudTrailPatternGroups } from './constructs/cloudtrail-rule-trigger';
import { EventForwarder } from './constructs/event-forwarder';
import { rulesFromContext } from './detector-context';
import type { DetectorRules } from './detector-rules';
import { centralBusArnFromContext, EVENT_BUS_ARN_PATTERN } from './organization';
import { applyTags } from './tags';

/** Name of the template parameter holding the central bus ARN (what `create-stack-set --parameters` sets). */
export const CENTRAL_BUS_ARN_PARAMETER = 'CentralEventBusArn';

export interface ForwarderStackProps extends StackProps {
  /** The detector's rules: the forwarder selects exactly the events they may match. Default: from context `rulesDir`. */
  readonly rules?: DetectorRules;
  /**
   * Default of the `CentralEventBusArn` parameter. Default: from context `centralBusArn`, or `centralAccountId` +
   * `centralRegion`; without them the parameter has no default (a StackSet passes it with `--parameters`).
   */
  readonly centralBusArn?: string;
  /** Tags on every resource, besides `application: cloudtrail-stream-detector`. */
  readonly resourceTags?: Readonly<Record<string, string>>;
}

/**
 * The member-account half of the organization deployment (docs/organization.md): EventBridge rules on the default
 * bus, with exactly the detector's patterns (same rule pack, same grouping code), that forward matching CloudTrail
 * events to the central bus in the security account. No Lambda, no assets, no bootstrap: the template is deployable
 * as a CloudFormation StackSet with service-managed permissions, in every account and region, as it is.
 * Account and region come from the stack instance (pseudo parameters); the central bus ARN is the
 * `CentralEventBusArn` parameter.
 */
export class ForwarderStack extends Stack {
  readonly forwarder: EventForwarder;

  constructor(scope: Construct, id: string, props: ForwarderStackProps = {}) {
    // BootstraplessSynthesizer: no BootstrapVersion parameter or rule, no asset manifest entries, and it throws if
    // anything ever adds an asset — a template a StackSet can deploy into accounts that were never bootstrapped.
    super(scope, id, { analyticsReporting: false, synthesizer: new BootstraplessSynthesizer(), ...props });
    const context = (key: string): unknown => this.node.tryGetContext(key);
    const { compiled } = (props.rules ?? rulesFromContext(context)).load();
    const defaultArn = props.centralBusArn ?? centralBusArnFromContext(context);
    const centralBusArn = new CfnParameter(this, CENTRAL_BUS_ARN_PARAMETER, {
      type: 'String',
      description: 'ARN of the central CloudTrail detector event bus (output CentralEventBusArn of the detector stack)',
      allowedPattern: EVENT_BUS_ARN_PATTERN,
      constraintDescription: 'must be an EventBridge event bus ARN: arn:aws:events:<region>:<account>:event-bus/<name>',
      ...(defaultArn ? { default: defaultArn } : {}),
    });
    this.forwarder = new EventForwarder(this, 'Forwarder', {
      groups: cloudTrailPatternGroups(compiled),
      targetBusArn: centralBusArn.valueAsString,
    });
    applyTags(this.forwarder, props.resourceTags);
    new CfnOutput(this, 'ForwarderDeadLetterQueueUrl', {
      value: this.forwarder.deadLetterQueue.queueUrl,
      description: 'Events that could not be put on the central bus',
    });
  }
}

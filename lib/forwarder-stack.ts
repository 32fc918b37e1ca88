import { BootstraplessSynthesizer, CfnOutput, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { join, resolve } from 'node:path';
import { cloudTrailPatternGroups } from './constructs/cloudtrail-rule-trigger';
import { EventForwarder } from './constructs/event-forwarder';
import { centralBusArnFromContext, EVENT_BUS_ARN_PATTERN } from './organization';
import { loadDeployableRules } from './rule-pack-file';

const DEFAULT_RULES_DIRECTORY = join(__dirname, '..', 'rules');

/** Name of the template parameter holding the central bus ARN (what `create-stack-set --parameters` sets). */
export const CENTRAL_BUS_ARN_PARAMETER = 'CentralEventBusArn';

/**
 * The member-account half of the organization deployment (docs/organization.md): EventBridge rules on the default
 * bus, with exactly the detector's patterns (same rule pack, same grouping code), that forward matching CloudTrail
 * events to the central bus in the security account. No Lambda, no assets, no bootstrap: the template is deployable
 * as a CloudFormation StackSet with service-managed permissions, in every account and region, as it is.
 * Account and region come from the stack instance (pseudo parameters); the central bus ARN is the
 * `CentralEventBusArn` parameter, defaulted from context `centralBusArn` or `centralAccountId` + `centralRegion`.
 */
export class ForwarderStack extends Stack {
  readonly forwarder: EventForwarder;

  constructor(scope: Construct, id: string, props?: StackProps) {
    // BootstraplessSynthesizer: no BootstrapVersion parameter or rule, no asset manifest entries, and it throws if
    // anything ever adds an asset — a template a StackSet can deploy into accounts that were never bootstrapped.
    super(scope, id, { analyticsReporting: false, synthesizer: new BootstraplessSynthesizer(), ...props });
    const rulesDirectory = resolve(this.node.tryGetContext('rulesDir') ?? DEFAULT_RULES_DIRECTORY);
    const { rules } = loadDeployableRules(this, rulesDirectory);
    const defaultArn = centralBusArnFromContext((key) => this.node.tryGetContext(key));
    const centralBusArn = new CfnParameter(this, CENTRAL_BUS_ARN_PARAMETER, {
      type: 'String',
      description: 'ARN of the central CloudTrail detector event bus (output CentralEventBusArn of the detector stack)',
      allowedPattern: EVENT_BUS_ARN_PATTERN,
      constraintDescription: 'must be an EventBridge event bus ARN: arn:aws:events:<region>:<account>:event-bus/<name>',
      ...(defaultArn ? { default: defaultArn } : {}),
    });
    this.forwarder = new EventForwarder(this, 'Forwarder', {
      groups: cloudTrailPatternGroups(rules),
      targetBusArn: centralBusArn.valueAsString,
    });
    new CfnOutput(this, 'ForwarderDeadLetterQueueUrl', {
      value: this.forwarder.deadLetterQueue.queueUrl,
      description: 'Events that could not be put on the central bus',
    });
  }
}

import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { Aws } from 'aws-cdk-lib';
import { CENTRAL_BUS_NAME, FORWARDER_ROLE_NAME_PREFIX } from '../organization';

export interface CentralEventBusProps {
  readonly organizationId: string;
  readonly eventBusName?: string;
}

/**
 * The custom event bus in the security account that every member account's forwarder puts CloudTrail events on.
 * Its resource policy lets only the forwarder roles *of the organization* call `events:PutEvents` on it:
 * `Principal: "*"` only together with `aws:PrincipalOrgID` (no account outside the organization) and `aws:PrincipalArn`
 * like `arn:<partition>:iam::*:role/CloudTrailDetectorForwarder-*` (no other principal of a member account, such as a
 * developer's role allowed `events:PutEvents` on `*`). Forwarded events keep their original `account` and `region`.
 */
export class CentralEventBus extends Construct {
  readonly bus: events.EventBus;

  constructor(scope: Construct, id: string, props: CentralEventBusProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: props.eventBusName ?? CENTRAL_BUS_NAME,
      description: `CloudTrail events forwarded by the accounts of organization ${props.organizationId} to the detector`,
    });
    this.bus.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OrganizationForwardersPutEvents',
        principals: [new iam.StarPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        conditions: {
          StringEquals: { 'aws:PrincipalOrgID': props.organizationId },
          ArnLike: { 'aws:PrincipalArn': `arn:${Aws.PARTITION}:iam::*:role/${FORWARDER_ROLE_NAME_PREFIX}*` },
        },
      }),
    );
  }
}

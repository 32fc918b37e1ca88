import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CENTRAL_BUS_NAME } from '../organization';

export interface CentralEventBusProps {
  readonly organizationId: string;
  readonly eventBusName?: string;
}

/**
 * The custom event bus in the security account that every member account's forwarder puts CloudTrail events on.
 * Its resource policy lets any principal *of the organization* call `events:PutEvents` on it — `Principal: "*"`
 * only together with `aws:PrincipalOrgID`, so an account outside the organization cannot inject events. Forwarded
 * events keep their original `account` and `region`.
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
        sid: 'OrganizationAccountsPutEvents',
        principals: [new iam.StarPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.bus.eventBusArn],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } },
      }),
    );
  }
}

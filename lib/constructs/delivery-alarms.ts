import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC_NAMESPACE } from '../../lambda/delivery/metric-namespace';

export interface DeliveryAlarmsProps {
  readonly function: lambda.IFunction;
  readonly queues: ReadonlyArray<{ readonly name: string; readonly queue: sqs.IQueue }>;
  /** Where alarm (and recovery) notifications go. */
  readonly topic: sns.ITopic;
}

const PERIOD = Duration.minutes(5);

/**
 * Alarms that tell operations a detection may be late or lost: any function error, throttle or failed delivery to
 * the on-failure destination, any message waiting in a dead-letter queue, and any event the handler refused as
 * crafted (an envelope account that is not the record's recipient: docs/organization.md). Each notifies `topic` on
 * ALARM and OK.
 */
export class DeliveryAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: DeliveryAlarmsProps) {
    super(scope, id);
    const fn = props.function;
    this.add('FunctionErrors', fn.metricErrors({ period: PERIOD, statistic: 'Sum' }), 'The detector function failed on at least one event (Lambda retries it, then sends it to the on-failure queue)');
    this.add('FunctionThrottles', fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }), 'The detector function was throttled (Lambda retries throttled events for up to the maximum event age)');
    this.add(
      'DestinationDeliveryFailures',
      fn.metric('DestinationDeliveryFailures', { period: PERIOD, statistic: 'Sum' }),
      'Lambda could not deliver a failed event to the on-failure queue: the event is lost',
    );
    for (const { name, queue } of props.queues) {
      this.add(
        `${name}DeadLetters`,
        queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
        `Undelivered events or alerts are waiting in the ${name} dead-letter queue (kept 14 days)`,
      );
    }
    this.add(
      'RefusedEvents',
      // The handler's EMF datapoint (lambda/handler.ts); its namespace is the one every metric of ours uses.
      new cloudwatch.Metric({ namespace: METRIC_NAMESPACE, metricName: 'RefusedEvents', dimensionsMap: { Reason: 'AccountMismatch' }, period: PERIOD, statistic: 'Sum' }),
      'An event reached the detector in one account\'s name carrying another account\'s CloudTrail record: nothing a forwarder sends, so someone put a crafted event on the bus (docs/organization.md)',
    );
    const action = new actions.SnsAction(props.topic);
    for (const alarm of this.alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }

  private add(id: string, metric: cloudwatch.IMetric, description: string): void {
    this.alarms.push(
      new cloudwatch.Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}

import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface DeliveryAlarmsProps {
  readonly function: lambda.IFunction;
  readonly queues: ReadonlyArray<{ readonly name: string; readonly queue: sqs.IQueue }>;
  /** Where alarm (and recovery) notifications go. */
  readonly topic: sns.ITopic;
}

const PERIOD = Duration.minutes(5);

/**
 * Alarms that tell operations a detection may be late or lost: any function error, throttle or failed delivery to
 * the on-failure destination, and any message waiting in a dead-letter queue. Each notifies `topic` on ALARM and OK.
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

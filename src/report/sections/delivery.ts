import type { AlertNotification } from '../../engine/alerts/alert-types';
import { cell, code, codeList, table } from '../markdown';
import { renderList, renderValue } from '../render-intrinsics';
import { describeResource, type ReportInput } from '../report-input';
import { ofType } from '../template';

/**
 * The SNS message attributes every alert carries (src/engine/alerts/alert-notification.ts), for subscription filter
 * policies. Typed on the notification's attribute set, so adding or removing one there fails the type check here.
 */
export const MESSAGE_ATTRIBUTES: Readonly<Record<keyof AlertNotification['attributes'], string>> = {
  severity: 'Rule severity: `low`, `medium`, `high` or `critical`',
  rule_id: 'The detection rule’s `rule_id`',
  account: 'AWS account id of the CloudTrail event (`unknown` when absent)',
  region: 'AWS region of the CloudTrail event (`unknown` when absent)',
};

/** Where alerts go (topics, subscriptions, attributes), where failures go, and who is told about them. */
export function deliverySection(input: ReportInput): string[] {
  const { template } = input;
  const lines = ['## 2. Where alerts go', '', '### 2.1 Topics', ''];
  lines.push(
    ...table(
      ['Topic', 'ARN (Ref)', 'Display name', 'KMS key'],
      ofType(template, 'AWS::SNS::Topic').map(([id, topic]) => [
        describeResource(input, id),
        code(renderValue({ Ref: id })),
        cell(String(topic.Properties?.DisplayName ?? '')),
        topic.Properties?.KmsMasterKeyId ? code(renderValue(topic.Properties.KmsMasterKeyId)) : '**none**',
      ]),
    ),
    '',
    '### 2.2 Subscriptions',
    '',
  );
  const subscriptions = ofType(template, 'AWS::SNS::Subscription');
  if (subscriptions.length === 0) lines.push('None (deployed with `-c alertEmails=none`): alerts are only archived in S3 until a subscription is added.', '');
  else {
    lines.push(
      ...table(
        ['Subscription', 'Topic', 'Protocol', 'Endpoint', 'Redrive (dead-letter) queue', 'Filter policy'],
        subscriptions.map(([id, subscription]) => {
          const properties = subscription.Properties ?? {};
          return [
            code(id),
            code(renderValue(properties.TopicArn)),
            properties.Protocol,
            code(renderValue(properties.Endpoint)),
            properties.RedrivePolicy ? code(renderValue(properties.RedrivePolicy.deadLetterTargetArn)) : '**none**',
            properties.FilterPolicy ? code(JSON.stringify(properties.FilterPolicy)) : 'none (every alert)',
          ];
        }),
      ),
      '',
    );
  }
  lines.push(
    '### 2.3 Message attributes (for subscription filter policies)',
    '',
    'Every published alert carries these String attributes (values are sanitized and capped at 256 characters):',
    '',
    ...table(['Attribute', 'Value'], Object.entries(MESSAGE_ATTRIBUTES).map(([name, description]) => [code(name), description])),
    '',
    '### 2.4 Failure paths',
    '',
  );
  const failureRows: string[][] = [];
  for (const [id, rule] of ofType(template, 'AWS::Events::Rule')) {
    for (const target of rule.Properties?.Targets ?? []) {
      failureRows.push([`EventBridge rule ${code(id)} → ${code(renderValue(target.Arn))}`, target.DeadLetterConfig ? code(renderValue(target.DeadLetterConfig.Arn)) : '**none**', target.RetryPolicy ? `${target.RetryPolicy.MaximumRetryAttempts} retries within ${target.RetryPolicy.MaximumEventAgeInSeconds} s` : 'default']);
    }
  }
  for (const [id, config] of ofType(template, 'AWS::Lambda::EventInvokeConfig')) {
    const properties = config.Properties ?? {};
    failureRows.push([
      `Async invocations of ${code(renderValue(properties.FunctionName))} (${code(id)})`,
      properties.DestinationConfig?.OnFailure ? code(renderValue(properties.DestinationConfig.OnFailure.Destination)) : '**none**',
      `${properties.MaximumRetryAttempts ?? 'default'} retries, max event age ${properties.MaximumEventAgeInSeconds ?? 'default'} s`,
    ]);
  }
  for (const [id, subscription] of subscriptions) {
    failureRows.push([`${subscription.Properties?.Protocol} subscription ${code(id)}`, subscription.Properties?.RedrivePolicy ? code(renderValue(subscription.Properties.RedrivePolicy.deadLetterTargetArn)) : '**none**', 'SNS delivery retry policy']);
  }
  lines.push(...table(['What fails', 'Goes to', 'Retries'], failureRows), '', '### 2.5 Operational notifications (alarms)', '');
  lines.push(
    ...table(
      ['Alarm', 'Metric', 'Condition', 'Missing data', 'Alarm actions', 'OK actions'],
      ofType(template, 'AWS::CloudWatch::Alarm').map(([id, alarm]) => {
        const p = alarm.Properties ?? {};
        const dimensions = (p.Dimensions ?? []).map((dimension: any) => `${dimension.Name}=${renderValue(dimension.Value)}`).join(', ');
        return [
          `${describeResource(input, id)}<br>${cell(String(p.AlarmDescription ?? ''))}`,
          code(`${p.Namespace} ${p.MetricName} (${p.Statistic ?? p.ExtendedStatistic}, ${p.Period} s) ${dimensions}`),
          `${p.ComparisonOperator} ${p.Threshold} for ${p.EvaluationPeriods} period(s)`,
          String(p.TreatMissingData ?? 'missing'),
          codeList(renderList(p.AlarmActions)),
          codeList(renderList(p.OKActions)),
        ];
      }),
    ),
    '',
    '### 2.6 Stack outputs',
    '',
    ...table(['Output', 'Value', 'Description'], Object.entries(template.Outputs ?? {}).map(([name, output]) => [code(name), code(renderValue(output.Value)), cell(output.Description ?? '')])),
    '',
  );
  return lines;
}

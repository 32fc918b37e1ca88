import { cell, code, table } from '../markdown';
import { describeResource, type ReportInput } from '../report-input';
import { acknowledgements } from '../template';

/** The cdk-nag packs run, their findings (none may be unacknowledged: the synth fails), and every acknowledgement. */
export function cdkNagSection(input: ReportInput): string[] {
  const acknowledged = acknowledgements(input.template);
  const unacknowledged = input.nag.reduce((sum, pack) => sum + pack.unacknowledgedFindings, 0);
  return [
    '## 5. cdk-nag',
    '',
    `Packs run at synth (cdk-nag v3 policy-validation plugins, lib/posture.ts): ${input.nag.map((pack) => code(pack.pack)).join(', ') || '**none**'}. ` +
      `Any unacknowledged finding fails the synth. Unacknowledged findings: **${unacknowledged}**; acknowledged findings: **${acknowledged.length}** ` +
      '(read from `Metadata.cdk_nag.rules_to_suppress` in the template).',
    '',
    ...table(
      ['Pack', 'Unacknowledged findings'],
      input.nag.map((pack) => [code(pack.pack), String(pack.unacknowledgedFindings) + (pack.messages.length > 0 ? `<br>${pack.messages.map(cell).join('<br>')}` : '')]),
    ),
    '',
    '### Acknowledgements',
    '',
    ...table(['Rule', 'Resource', 'Reason'], acknowledged.map((ack) => [code(ack.id), describeResource(input, ack.logicalId), cell(ack.reason)])),
    '',
  ];
}

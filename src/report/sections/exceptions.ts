import { cell, code, table } from '../markdown';
import type { ReportInput } from '../report-input';

/**
 * Every rule exception packaged with the function (docs/exceptions.md): what each rule ignores, who answers for it,
 * why, and until when. Read from the same resolved data the synth packaged (DetectorStack.exceptions).
 */
export function exceptionsSection(input: ReportInput): string[] {
  const { rows, files } = input.exceptions;
  const lines = [
    '### 1.4 Exceptions',
    '',
    `Exception list exports read at synth: ${files.length === 0 ? 'none' : files.map(code).join(', ')}. ` +
      `A match an unexpired item excepts is not published: it is archived (state ${code('suppressed_by_exception')}) and counted ` +
      `(metric ${code('CloudTrailStreamDetector/SuppressedByException')} per ${code('RuleId')} and ${code('ExceptionItemId')}). ` +
      `Days left are counted from ${input.synth.startedAt.toISOString()}.`,
    '',
  ];
  if (rows.length === 0) {
    lines.push('No rule has exceptions: every match is alerted on.', '');
    return lines;
  }
  lines.push(
    ...table(
      ['Rule', 'Exception (list / item)', 'Conditions', 'Owner', 'Reason', 'Expires', 'Days left', 'Never expires'],
      rows.map((row) => [
        cell(row.ruleName),
        `${code(row.listId)} / ${code(row.itemId)}<br>${cell(row.itemName)}`,
        cell(row.conditions),
        cell(row.owner),
        cell(row.reason),
        row.expireTime === null ? '—' : code(row.expireTime),
        row.daysLeft === null ? '—' : row.expired ? `**expired** (${row.daysLeft})` : String(row.daysLeft),
        row.neverExpires ? '**yes**' : 'no',
      ]),
    ),
    '',
  );
  return lines;
}

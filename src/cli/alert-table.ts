import type { EcsDocument } from '../engine/ecs/ecs-document';
import { extractAlertFacts } from '../engine/alerts';
import { sanitizeInline } from '../engine/alerts';

/** Columns of `--format table`: fixed widths so rows stream out as alerts are found; long cells are cut with '…'. */
const COLUMNS = [
  { title: 'TIME', width: 20 },
  { title: 'RULE', width: 36 },
  { title: 'SEVERITY', width: 8 },
  { title: 'WHO', width: 40 },
  { title: 'WHAT', width: 48 },
  { title: 'WHERE TO', width: 0 }, // last column: not padded or cut
] as const;

export function tableHeader(): string {
  return formatCells(COLUMNS.map((column) => column.title));
}

/** One alert as a table row: event time, rule, severity, who, what was done to what, and where data went. */
export function formatTableRow(alert: EcsDocument): string {
  const facts = extractAlertFacts(alert);
  const rule = (alert as { kibana?: { alert?: { severity?: string; rule?: { name?: string } } } }).kibana?.alert;
  const actor = facts.actor;
  // The session (often the person) first: a role name alone does not say who.
  const name = actor.name ?? actor.arn ?? actor.accessKeyId ?? '?';
  const who = actor.sessionName && actor.sessionName !== name ? `${actor.sessionName} (${name})` : name;
  const action = `${(facts.provider ?? '').replace(/\.amazonaws\.com$/, '')}:${facts.action ?? '?'}`;
  const task = facts.exportTask;
  const subject = task ? [task.sourceKind, task.sourceName].filter(Boolean).join(' ') : facts.target;
  const what = [action, subject, facts.outcome && facts.outcome !== 'success' ? `(${facts.outcome})` : ''].filter(Boolean).join(' ');
  const whereTo = task?.bucket
    ? `s3://${task.bucket}/${task.prefix ?? ''}`
    : [facts.account, facts.region].filter(Boolean).join(' ');
  return formatCells([
    (facts.eventTime ?? '').replace(/\.\d+Z$/, 'Z'),
    rule?.rule?.name ?? '',
    rule?.severity ?? '',
    who,
    what,
    whereTo,
  ]);
}

function formatCells(cells: readonly string[]): string {
  return cells
    .map((cell, index) => {
      const width = COLUMNS[index]?.width ?? 0;
      // Cells hold event values (session names, bucket names): the same escaping as the e-mail, no own variant.
      const clean = sanitizeInline(cell, Number.MAX_SAFE_INTEGER);
      if (width === 0) return clean;
      return clean.length > width ? `${clean.slice(0, width - 1)}…` : clean.padEnd(width);
    })
    .join('  ')
    .trimEnd();
}

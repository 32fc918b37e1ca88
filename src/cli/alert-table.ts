import type { EcsDocument } from '../engine/ecs/ecs-document';
import { extractAlertFacts, sanitizeInline } from '../engine/alerts';
import { sequenceStepActions } from '../engine/alerts/sequence-ids';

/**
 * `--format table`: alerts for people, streamed as they are found, never wider than `width` columns (100 unless the
 * terminal is narrower). Each alert is one row of short, fixed-width facts (time, severity, account, region, rule)
 * followed by indented "who", "what" and "to" lines, because identities, resources and S3 locations are too long to
 * share a line. Long values wrap; a value that would need more than MAX_DETAIL_LINES lines is cut with '…'.
 */
export interface TableStyle {
  readonly width: number;
  /** ANSI colour for the severity (only on a terminal, without NO_COLOR). */
  readonly colour: boolean;
}

export const TABLE_WIDTH = 100;
/** Narrower than this and the fixed columns no longer fit: lines wrap in the terminal instead. */
const MIN_WIDTH = 72;
const MAX_DETAIL_LINES = 4;
const GAP = '  ';
const DETAIL_INDENT = 4;
const DETAIL_LABEL = 6; // 'what  '

const FIXED_COLUMNS = [
  { title: 'TIME (UTC)', width: 20 },
  { title: 'SEVERITY', width: 8 },
  { title: 'ACCOUNT', width: 12 },
  { title: 'REGION', width: 14 },
] as const;

const SEVERITY_COLOURS: Readonly<Record<string, string>> = {
  critical: '\x1b[1;35m', // bold magenta
  high: '\x1b[1;31m', // bold red
  medium: '\x1b[33m', // yellow
  low: '\x1b[36m', // cyan
};
const RESET = '\x1b[0m';

/** The width to lay the table out for: a terminal's own width when it is narrower than TABLE_WIDTH. */
export function tableWidth(columns: number | undefined): number {
  return columns !== undefined && columns > 0 ? Math.max(MIN_WIDTH, Math.min(TABLE_WIDTH, columns)) : TABLE_WIDTH;
}

export function tableHeader(style: TableStyle): string[] {
  return [joinRow([...FIXED_COLUMNS.map((column) => column.title), 'RULE'], style.width)];
}

/** One alert: its row and its detail lines. */
export function formatTableRows(alert: EcsDocument, style: TableStyle): string[] {
  const facts = extractAlertFacts(alert);
  const kibana = (alert as { kibana?: { alert?: { severity?: string; rule?: { name?: string } } } }).kibana?.alert;
  const actor = facts.actor;
  // The session (often the person) first: a role name alone does not say who.
  const name = actor.name ?? actor.arn ?? actor.accessKeyId ?? '?';
  const who = actor.sessionName && actor.sessionName !== name ? `${actor.sessionName} (${name})` : name;
  // A sequence did several things: its steps in order.
  const steps = sequenceStepActions(alert);
  const action = steps.length > 0 ? steps.join(' then ') : `${(facts.provider ?? '').replace(/\.amazonaws\.com$/, '')}:${facts.action ?? '?'}`;
  const task = facts.exportTask;
  const subject = task ? [task.sourceKind, task.sourceName].filter(Boolean).join(' ') : facts.target;
  const what = [action, subject, facts.outcome && facts.outcome !== 'success' ? `(${facts.outcome})` : ''].filter(Boolean).join(' ');
  const severity = clean(kibana?.severity ?? '');
  const row = [
    (facts.eventTime ?? '').replace(/\.\d+Z$/, 'Z'),
    severity,
    facts.account ?? '',
    facts.region ?? '',
    kibana?.rule?.name ?? '',
  ].map(clean);
  const lines = joinRow(row, style.width, style.colour ? { column: 1, code: SEVERITY_COLOURS[severity.toLowerCase()] } : undefined).split('\n');
  lines.push(...detailLines('who', who, style.width));
  lines.push(...detailLines('what', what, style.width));
  if (task?.bucket) lines.push(...detailLines('to', `s3://${task.bucket}/${task.prefix ?? ''}`, style.width));
  return lines;
}

/** Event values (session names, bucket names) get the same escaping as the e-mail: no terminal control reaches it. */
function clean(text: string): string {
  return sanitizeInline(text, Number.MAX_SAFE_INTEGER);
}

/** The fixed columns padded, the last (rule) column wrapped in the room left; continuation lines keep the columns. */
function joinRow(cells: readonly string[], width: number, colour?: { column: number; code: string | undefined }): string {
  const fixedWidth = FIXED_COLUMNS.reduce((sum, column) => sum + column.width + GAP.length, 0);
  const last = wrapText(cells[FIXED_COLUMNS.length] ?? '', width - fixedWidth, MAX_DETAIL_LINES);
  return last
    .map((text, line) => {
      const fixed = FIXED_COLUMNS.map((column, index) => {
        const cell = line === 0 ? cut(cells[index] ?? '', column.width) : '';
        const padding = ' '.repeat(column.width - Array.from(cell).length);
        const code = colour?.column === index ? colour.code : undefined;
        return code !== undefined && cell !== '' ? `${code}${cell}${RESET}${padding}` : `${cell}${padding}`;
      });
      return `${fixed.join(GAP)}${GAP}${text}`.trimEnd();
    })
    .join('\n');
}

/** `    who   jane (role)`, wrapped under the value's first column. */
function detailLines(label: string, value: string, width: number): string[] {
  const indent = DETAIL_INDENT + DETAIL_LABEL;
  return wrapText(clean(value), width - indent, MAX_DETAIL_LINES).map((text, line) =>
    `${' '.repeat(DETAIL_INDENT)}${(line === 0 ? label : '').padEnd(DETAIL_LABEL)}${text}`.trimEnd(),
  );
}

/** A fixed cell's text, cut with '…' when too long (a time, a severity, an account id or a region rarely is). */
function cut(text: string, width: number): string {
  const characters = Array.from(text);
  return characters.length > width ? `${characters.slice(0, width - 1).join('')}…` : text;
}

/**
 * Wraps at spaces (and inside words longer than a line: ARNs, S3 keys) into at most `maxLines` lines of `width`
 * characters; what does not fit ends with '…'.
 */
export function wrapText(text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line: string[] = [];
  const words = text.split(' ').filter((word) => word !== '');
  for (const word of words) {
    let characters = Array.from(word);
    if (line.length > 0 && line.length + 1 + characters.length > width) {
      lines.push(line.join(''));
      line = [];
    }
    if (line.length > 0) line.push(' ');
    while (line.length + characters.length > width) {
      const room = width - line.length;
      lines.push([...line, ...characters.slice(0, room)].join(''));
      line = [];
      characters = characters.slice(room);
    }
    line.push(...characters);
  }
  if (line.length > 0 || lines.length === 0) lines.push(line.join(''));
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  const lastLine = Array.from(kept[maxLines - 1] as string);
  kept[maxLines - 1] = `${lastLine.slice(0, width - 1).join('')}…`;
  return kept;
}

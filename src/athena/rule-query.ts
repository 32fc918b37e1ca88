import { parseKql } from '../engine/kql';
import { type DetectionRule, eqlOptionsOf, eqlQueryOf } from '../engine/rules';
import { translateEql } from './eql-translate';
import { quoteIdentifier } from './ddl';
import { newTermsSql, statefulComment, thresholdSql } from './stateful-query';
import { formatCondition, sqlString, translateKql, UntranslatableError } from './translate';

export interface QueryOptions {
  readonly database: string;
  readonly table: string;
  /** Inclusive first and last day, `yyyy-MM-dd` (UTC). */
  readonly since?: string;
  readonly until?: string;
}

export type RuleTranslation =
  | { readonly ok: true; readonly rule: DetectionRule; readonly sql: string }
  | { readonly ok: false; readonly rule: DetectionRule; readonly reason: string; readonly sql: string };

const ALERT_COLUMNS = [
  'eventtime',
  'eventid',
  'eventsource',
  'eventname',
  'awsregion',
  'recipientaccountid',
  'useridentity.arn AS useridentity_arn',
  'useridentity.type AS useridentity_type',
  'sourceipaddress',
  'useragent',
  'requestparameters',
  'errorcode',
];

function comment(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => `-- ${line}`.trimEnd())
    .join('\n');
}

function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

/**
 * Partition pruning on the projected `timestamp` (the delivery day, yyyy/MM/dd) plus the exact filter on eventtime.
 * CloudTrail delivers a file up to about 15 minutes after its events, so the partition range reaches one day past
 * `until`; the eventtime filter keeps the result exact.
 */
export function dateRangeConditions(since: string | undefined, until: string | undefined, lookBackMs = 0): string[] {
  const conditions: string[] = [];
  if (since !== undefined) {
    // A stateful rule reads its history window (new_terms) or count window (threshold) before the range too.
    const start = new Date(Date.parse(`${since}T00:00:00Z`) - lookBackMs);
    const day = start.toISOString().slice(0, 10);
    conditions.push(`"timestamp" >= ${sqlString(day.replace(/-/g, '/'))}`);
    conditions.push(`eventtime >= ${sqlString(start.toISOString().replace('.000Z', 'Z'))}`);
  }
  if (until !== undefined) {
    const after = nextDay(until);
    conditions.push(`"timestamp" <= ${sqlString(after.replace(/-/g, '/'))}`);
    conditions.push(`eventtime < ${sqlString(`${after}T00:00:00Z`)}`);
  }
  return conditions;
}

function header(rule: DetectionRule): string {
  return [comment(`rule: ${rule.name} (${rule.ruleId})`), comment(`file: ${rule.sourceFile}`), comment(`${rule.language === 'eql' ? 'eql' : 'kql'}: ${rule.query.trim()}`)].join('\n');
}

export function translateRule(rule: DetectionRule, options: QueryOptions): RuleTranslation {
  if (rule.newTerms || rule.threshold) return translateStatefulRule(rule, options);
  let condition;
  try {
    if (rule.type === 'eql') condition = translateEql(eqlQueryOf(rule), eqlOptionsOf(rule));
    else {
      if (rule.type !== 'query') throw new UntranslatableError(`type "${rule.type}" is not a query, eql, new_terms or threshold rule`);
      if (rule.language !== 'kuery') throw new UntranslatableError(`language "${rule.language}" is not KQL`);
      condition = translateKql(parseKql(rule.query));
    }
  } catch (error) {
    if (!(error instanceof UntranslatableError)) throw error;
    const reason = error.message;
    return { ok: false, rule, reason, sql: `${header(rule)}\n${comment(`NOT TRANSLATED: ${reason}`)}\n` };
  }
  const where = [...dateRangeConditions(options.since, options.until), formatCondition(condition)];
  const sql = [
    header(rule),
    'SELECT',
    `  ${sqlString(rule.ruleId)} AS rule_id,`,
    `  ${sqlString(rule.name)} AS rule_name,`,
    ALERT_COLUMNS.map((column) => `  ${column}`).join(',\n'),
    `FROM ${quoteIdentifier(options.database)}.${quoteIdentifier(options.table)}`,
    `WHERE ${where.join('\n  AND ')};`,
    '',
  ].join('\n');
  return { ok: true, rule, sql };
}

/** new_terms and threshold rules (stateful-query.ts): their window is read before `since` as well. */
function translateStatefulRule(rule: DetectionRule, options: QueryOptions): RuleTranslation {
  const lookBack = rule.newTerms?.historyWindowMs ?? rule.threshold?.windowMs ?? 0;
  const from = `${quoteIdentifier(options.database)}.${quoteIdentifier(options.table)}`;
  const historyWhere = dateRangeConditions(options.since, options.until, lookBack);
  const outputWhere = options.since === undefined ? [] : [`eventtime >= ${sqlString(`${options.since}T00:00:00Z`)}`];
  try {
    if (rule.language !== 'kuery') throw new UntranslatableError(`language "${rule.language}" is not KQL`);
    const { body } = rule.newTerms ? newTermsSql(rule, from, historyWhere, outputWhere) : thresholdSql(rule, from, historyWhere, outputWhere);
    return { ok: true, rule, sql: `${header(rule)}\n${statefulComment(rule).map(comment).join('\n')}\n${body}` };
  } catch (error) {
    if (!(error instanceof UntranslatableError)) throw error;
    return { ok: false, rule, reason: error.message, sql: `${header(rule)}\n${comment(`NOT TRANSLATED: ${error.message}`)}\n` };
  }
}

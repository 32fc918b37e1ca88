import { parseKql } from '../engine/kql';
import type { DetectionRule } from '../engine/rules';
import { describeDuration } from '../engine/alerts/stateful-fields';
import { formatCondition, singleValueSql, sqlString, translateKql, UntranslatableError } from './translate';

/**
 * new_terms and threshold rules as Athena SQL, with the contract's answers (../shared/reference/stateful-rules.md,
 * docs/stateful-rules.md) for the trail read in event-time order (ties by event id):
 *
 * - new_terms: a window function. An event is new for its term when the previous sighting of the term (`lag` over
 *   the term's partition, in event-time order) is at least H before it, or there is none. The history is read from H
 *   before `--since`, so the first alerts of the range are judged on a whole window.
 * - threshold: Trino's row pattern recognition. Events are grouped per group and second (CloudTrail's time unit);
 *   `MATCH_RECOGNIZE` finds, per group, the first run of seconds within W that reaches N events, and `AFTER MATCH
 *   SKIP PAST LAST ROW` starts the next search after the alert's second, which is the reset after an alert. The
 *   alert is on the N-th event of the run.
 *
 * Refused, with the reason: fields with several values (each element would be a term of its own), fields without an
 * exact column, and threshold cardinality (a distinct count that restarts after each alert).
 */

export interface StatefulSql {
  /** The statement after the WITH/SELECT header: everything from `WITH`. */
  readonly body: string;
}

/** The columns of an alert row: what `matches` selects and the final SELECT returns. */
const EVENT_COLUMNS = [
  ['eventtime', 'eventtime'],
  ['eventid', 'eventid'],
  ['eventsource', 'eventsource'],
  ['eventname', 'eventname'],
  ['awsregion', 'awsregion'],
  ['recipientaccountid', 'recipientaccountid'],
  ['useridentity.arn', 'useridentity_arn'],
  ['useridentity.type', 'useridentity_type'],
  ['sourceipaddress', 'sourceipaddress'],
  ['useragent', 'useragent'],
  ['requestparameters', 'requestparameters'],
  ['errorcode', 'errorcode'],
] as const;

function matchesCte(rule: DetectionRule, fields: readonly string[], from: string, where: readonly string[]): string {
  const condition = translateKql(parseKql(rule.query));
  if ('constant' in condition && !condition.constant) throw new UntranslatableError('the query can never match');
  const terms = fields.map((field, i) => `    ${singleValueSql(field)} AS term_${i + 1}`);
  return [
    'matches AS (',
    '  SELECT',
    ...EVENT_COLUMNS.map(([column, alias]) => `    ${column === alias ? column : `${column} AS ${alias}`},`),
    ...terms.map((term) => `${term},`),
    '    from_iso8601_timestamp(eventtime) AS event_time',
    `  FROM ${from}`,
    `  WHERE ${[...where, formatCondition(condition).replace(/\n {2}AND /g, '\n    AND ')].join('\n    AND ')}`,
    ')',
  ].join('\n');
}

const termColumns = (count: number): string[] => Array.from({ length: count }, (_, i) => `term_${i + 1}`);

export function newTermsSql(rule: DetectionRule, from: string, historyWhere: readonly string[], outputWhere: readonly string[]): StatefulSql {
  const config = rule.newTerms;
  if (!config) throw new UntranslatableError('not a new_terms rule');
  const terms = termColumns(config.fields.length);
  const body = [
    'WITH',
    `${matchesCte(rule, config.fields, from, historyWhere)},`,
    'sightings AS (',
    `  SELECT *, lag(event_time) OVER (PARTITION BY ${terms.join(', ')} ORDER BY event_time, eventid) AS previous_sighting`,
    '  FROM matches',
    `  WHERE ${terms.map((term) => `${term} IS NOT NULL`).join(' AND ')}`,
    ')',
    'SELECT',
    `  ${sqlString(rule.ruleId)} AS rule_id,`,
    `  ${sqlString(rule.name)} AS rule_name,`,
    ...EVENT_COLUMNS.map(([, alias]) => `  ${alias},`),
    `  ARRAY[${terms.join(', ')}] AS new_terms`,
    'FROM sightings',
    `WHERE (previous_sighting IS NULL OR previous_sighting <= event_time - INTERVAL '${config.historyWindowMs / 1000}' SECOND)`,
    ...outputWhere.map((condition) => `  AND ${condition}`),
    'ORDER BY event_time, eventid;',
    '',
  ].join('\n');
  return { body };
}

export function thresholdSql(rule: DetectionRule, from: string, historyWhere: readonly string[], outputWhere: readonly string[]): StatefulSql {
  const config = rule.threshold;
  if (!config) throw new UntranslatableError('not a threshold rule');
  if (config.cardinality.length > 0) {
    throw new UntranslatableError(
      `threshold cardinality (${config.cardinality[0]?.field} >= ${config.cardinality[0]?.value} distinct): a distinct count over a window that restarts after each alert has no exact form in Athena's row pattern recognition`,
    );
  }
  const groups = termColumns(config.fields.length);
  const groupList = groups.length > 0 ? groups.join(', ') : '';
  const body = [
    'WITH',
    `${matchesCte(rule, config.fields, from, historyWhere)},`,
    'per_second AS (',
    // The same eventID counts once (CloudTrail can write an event twice).
    `  SELECT ${groups.map((group) => `${group}, `).join('')}event_time, count(DISTINCT eventid) AS n, array_agg(DISTINCT eventid ORDER BY eventid) AS ids`,
    '  FROM matches',
    ...(groups.length > 0 ? [`  WHERE ${groups.map((group) => `${group} IS NOT NULL`).join(' AND ')}`] : []),
    `  GROUP BY ${groups.map((group) => `${group}, `).join('')}event_time`,
    '),',
    'crossings AS (',
    '  SELECT * FROM per_second MATCH_RECOGNIZE (',
    ...(groupList ? [`    PARTITION BY ${groupList}`] : []),
    '    ORDER BY event_time',
    '    MEASURES FIRST(event_time) AS window_from, LAST(event_time) AS alert_time, SUM(n) AS through_alert_second, LAST(n) AS alert_second_events, LAST(ids) AS alert_second_ids',
    '    ONE ROW PER MATCH',
    '    AFTER MATCH SKIP PAST LAST ROW',
    '    PATTERN (A*? B)',
    `    DEFINE B AS SUM(n) >= ${config.value} AND B.event_time < FIRST(event_time) + INTERVAL '${config.windowMs / 1000}' SECOND`,
    '  )',
    '),',
    'alerts AS (',
    `  SELECT *, element_at(alert_second_ids, ${config.value} - (through_alert_second - alert_second_events)) AS alert_event_id`,
    '  FROM crossings',
    ')',
    'SELECT DISTINCT',
    `  ${sqlString(rule.ruleId)} AS rule_id,`,
    `  ${sqlString(rule.name)} AS rule_name,`,
    ...EVENT_COLUMNS.map(([, alias]) => `  m.${alias},`),
    ...groups.map((group) => `  a.${group},`),
    `  ${config.value} AS threshold_count,`,
    '  a.window_from AS threshold_from',
    'FROM alerts a',
    `JOIN matches m ON m.eventid = a.alert_event_id AND m.event_time = a.alert_time${groups.map((group) => ` AND m.${group} = a.${group}`).join('')}`,
    ...(outputWhere.length > 0 ? [`WHERE ${outputWhere.map((condition) => `m.${condition}`).join('\n  AND ')}`] : []),
    'ORDER BY threshold_from, m.eventid;',
    '',
  ].join('\n');
  return { body };
}

/** The comment lines that say how the statement answers. */
export function statefulComment(rule: DetectionRule): string[] {
  if (rule.newTerms) {
    return [
      `new_terms: first sighting of (${rule.newTerms.fields.join(', ')}) in ${describeDuration(rule.newTerms.historyWindowMs)} (${rule.newTerms.historyWindowStart}), trail in event-time order;`,
      'the history is read from one window before --since, so the first alerts of the range are judged on a whole window',
    ];
  }
  if (rule.threshold) {
    return [
      `threshold: ${rule.threshold.value} events ${rule.threshold.fields.length > 0 ? `per (${rule.threshold.fields.join(', ')}) ` : ''}within ${describeDuration(rule.threshold.windowMs)}, counting again after each alert, trail in event-time order`,
    ];
  }
  return [];
}

import type { EcsDocument } from '../ecs/ecs-document';
import type { DetectionRule } from '../rules/detection-rule';
import { extractAlertFacts, type AlertFacts } from './alert-facts';
import { alertUuid, contentEventId } from './alert-id';
import type { AlertDocument, DetectionContext } from './alert-types';
import { getText } from './field-access';

/**
 * The alert document: the ECS event as normalized, `event.kind: signal`, and Elastic's `kibana.alert.*` fields,
 * so the same document can be indexed next to Elastic's own alerts or read by a SOAR that knows them.
 */
export function buildAlert(rule: DetectionRule, document: EcsDocument, context: DetectionContext): AlertDocument {
  const sourceEvent = (typeof document.event === 'object' && document.event !== null ? document.event : {}) as Record<string, unknown>;
  const eventId = alertEventIdOf(document);
  const facts = extractAlertFacts(document);
  // Elastic keeps the source event's fields here; `original` is left out because it already is `event.original`
  // and would double the size of every alert.
  const { original: _original, ...originalEvent } = sourceEvent;
  const { '@timestamp': _eventTimestamp, ...eventFields } = document;
  return {
    '@timestamp': context.receivedAt.toISOString(),
    ...eventFields,
    event: { ...sourceEvent, kind: 'signal' },
    kibana: {
      alert: {
        uuid: alertUuid(rule.ruleId, eventId),
        original_time: getText(document, '@timestamp'),
        severity: rule.severity,
        risk_score: rule.riskScore,
        reason: alertReason(rule, facts),
        status: 'active',
        workflow_status: 'open',
        depth: 1,
        original_event: originalEvent,
        rule: {
          rule_id: rule.ruleId,
          name: rule.name,
          description: rule.description,
          severity: rule.severity,
          risk_score: rule.riskScore,
          type: rule.type,
          language: rule.language,
          query: rule.query,
          from: rule.from,
          interval: rule.interval,
          author: rule.author,
          tags: rule.tags,
          references: rule.references,
          false_positives: rule.falsePositives,
          note: rule.note,
          ...(rule.version === undefined ? {} : { version: rule.version }),
          ...(rule.license === undefined ? {} : { license: rule.license }),
          investigation_fields: { field_names: rule.investigationFields },
          // An EQL rule's settings, under the names Kibana's rule API gives them.
          ...(rule.eventCategoryOverride === undefined ? {} : { event_category_override: rule.eventCategoryOverride }),
          ...(rule.tiebreakerField === undefined ? {} : { tiebreaker_field: rule.tiebreakerField }),
          ...(rule.timestampField === undefined ? {} : { timestamp_field: rule.timestampField }),
          // The stateful types' settings, under the names Kibana's rule API gives them.
          ...(rule.newTerms ? { new_terms_fields: [...rule.newTerms.fields], history_window_start: rule.newTerms.historyWindowStart } : {}),
          ...(rule.threshold
            ? {
                threshold: {
                  field: [...rule.threshold.fields],
                  value: rule.threshold.value,
                  ...(rule.threshold.cardinality.length > 0 ? { cardinality: rule.threshold.cardinality.map(({ field, value }) => ({ field, value })) } : {}),
                },
              }
            : {}),
          threat: rule.threat.map((mapping) => ({
            framework: mapping.framework,
            tactic: mapping.tactic,
            technique: mapping.technique.map((technique) => ({ ...technique, subtechnique: technique.subtechnique })),
          })),
        },
      },
    },
  };
}

/** The event an alert is about: its CloudTrail event id, or for a record without one a digest of its text. */
export function alertEventIdOf(document: EcsDocument): string {
  return getText(document, 'event.id') ?? contentEventId(getText(document, 'event.original') ?? JSON.stringify(document));
}

/** One sentence in the spirit of Elastic's `kibana.alert.reason`: what, by whom, from where, which rule. */
function alertReason(rule: DetectionRule, facts: AlertFacts): string {
  const what = [facts.provider?.replace(/\.amazonaws\.com$/, ''), facts.action].filter(Boolean).join(':') || 'event';
  const who = facts.actor.arn ?? facts.actor.name ?? 'an unknown identity';
  const from = facts.sourceAddress ? ` from ${facts.sourceAddress}` : '';
  const where = facts.account || facts.region ? ` in ${[facts.account, facts.region].filter(Boolean).join('/')}` : '';
  return `${what} ${facts.outcome ?? ''} by ${who}${from}${where} created ${rule.severity} alert ${rule.name}.`.replace(/ {2,}/g, ' ');
}

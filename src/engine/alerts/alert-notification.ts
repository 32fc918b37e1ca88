import type { DetectionRule } from '../rules/detection-rule';
import { alertEmail } from './alert-email';
import { extractAlertFacts } from './alert-facts';
import { alertSubject } from './alert-subject';
import type { AlertDocument, AlertNotification } from './alert-types';
import { getText } from './field-access';
import { fitAlert } from './fit-alert';
import { truncate } from './sanitize-text';

/** SNS accepts at most 262,144 bytes for the message and its attributes together; keep room for the attributes. */
export const MAX_MESSAGE_BYTES = 256 * 1024 - 4096;
/** A phone shows the first screens of an e-mail; anything past this is in the JSON and the archive. */
const MAX_EMAIL_CHARACTERS = 48 * 1024;

/**
 * Everything SNS needs to deliver one alert: the subject, the per-protocol message (`default` JSON for machines,
 * `email` text for people) and filterable attributes. Pure, so the Lambda and the tests build the very same request.
 */
export function buildAlertNotification(alert: AlertDocument, rule: DetectionRule): AlertNotification {
  const facts = extractAlertFacts(alert);
  const alertId = getText(alert, 'kibana.alert.uuid') ?? 'unknown';
  const email = truncate(alertEmail(rule, facts, alertId, getText(alert, '@timestamp') ?? ''), MAX_EMAIL_CHARACTERS);
  const emailBytes = Buffer.byteLength(JSON.stringify(email), 'utf8');
  // The alert JSON is itself escaped inside the message JSON; budget for the escaping by measuring, not guessing.
  let budget = MAX_MESSAGE_BYTES - emailBytes - 64;
  let message = '';
  for (let attempt = 0; attempt < 4; attempt++) {
    const fitted = fitAlert(alert, budget);
    message = JSON.stringify({ default: JSON.stringify(fitted), email });
    const over = Buffer.byteLength(message, 'utf8') - MAX_MESSAGE_BYTES;
    if (over <= 0) break;
    budget -= over + 1024;
  }
  return {
    subject: alertSubject(rule, facts),
    message,
    attributes: {
      severity: rule.severity,
      rule_id: rule.ruleId,
      account: facts.account ?? 'unknown',
      region: facts.region ?? 'unknown',
    },
  };
}

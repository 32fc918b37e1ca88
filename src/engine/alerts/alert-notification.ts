import type { DetectionRule } from '../rules/detection-rule';
import { alertEmail } from './alert-email';
import { type AccountNames, extractAlertFacts } from './alert-facts';
import type { AlertSubject } from './alert-story';
import { alertSubject } from './alert-subject';
import type { AlertDocument, AlertNotification } from './alert-types';
import { getText } from './field-access';
import { fitAlert } from './fit-alert';
import { sanitizeForSubject, truncate } from './sanitize-text';
import { suppressionNote } from './suppression-fields';
import { tellAlert } from './tell-alert';

/** SNS accepts at most 262,144 bytes for the message and its attributes together; keep room for the attributes. */
export const MAX_MESSAGE_BYTES = 256 * 1024 - 4096;
/**
 * Attribute values come partly from the event (account, region): cap them, or a hostile 100 KB region would push the
 * message plus attributes past SNS's 262,144 bytes. 4 values of this size, with their names and types, fit the 4 KB
 * that MAX_MESSAGE_BYTES leaves for attributes. Real values (12-digit accounts, region codes, rule ids) are unchanged.
 */
const MAX_ATTRIBUTE_CHARACTERS = 256;
/** A phone shows the first screens of an e-mail; anything past this is in the JSON and the archive. */
const MAX_EMAIL_CHARACTERS = 48 * 1024;

export interface AlertNotificationOptions {
  /**
   * Display names of accounts (organization deployments): the subject and e-mail then say
   * `Payments-Prod (123456789012)`. The attributes (account id) and the alert JSON are unchanged.
   */
  readonly accountNames?: AccountNames;
}

/**
 * Everything SNS needs to deliver one alert: the subject, the per-protocol message (`default` JSON for machines,
 * `email` text for people) and filterable attributes. Pure, so the Lambda and the tests build the very same request.
 */
export function buildAlertNotification(alert: AlertDocument, rule: DetectionRule, options: AlertNotificationOptions = {}): AlertNotification {
  const facts = extractAlertFacts(alert, options.accountNames);
  const subject: AlertSubject = { rule, alert, facts, alertId: getText(alert, 'kibana.alert.uuid') ?? 'unknown', raisedAt: getText(alert, '@timestamp') ?? '' };
  const note = suppressionNote(alert);
  const story = tellAlert(subject, note === undefined ? [] : [note]);
  const email = truncate(alertEmail(story, subject), MAX_EMAIL_CHARACTERS);
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
  if (Buffer.byteLength(message, 'utf8') > MAX_MESSAGE_BYTES) message = lastResortMessage(alert, rule, email);
  return {
    subject: alertSubject(rule, story, facts),
    message,
    attributes: {
      severity: attributeValue(rule.severity),
      rule_id: attributeValue(rule.ruleId),
      account: attributeValue(facts.account),
      region: attributeValue(facts.region),
    },
  };
}

/** Printable ASCII on one line, at most MAX_ATTRIBUTE_CHARACTERS, never empty (SNS rejects empty String values). */
function attributeValue(value: string | undefined): string {
  const safe = sanitizeForSubject(value ?? '', MAX_ATTRIBUTE_CHARACTERS);
  return safe === '' ? 'unknown' : safe;
}

/**
 * When even the shrunk alert does not fit (an event made of thousands of huge fields), the alert still goes out:
 * ids, rule and where, every value capped, and a pointer to the archive, which keeps the whole document.
 */
function lastResortMessage(alert: AlertDocument, rule: DetectionRule, email: string): string {
  const capped = (path: string): string | undefined => {
    const value = getText(alert, path);
    return value === undefined ? undefined : truncate(value, 256);
  };
  const stub = {
    '@timestamp': capped('@timestamp'),
    event: { kind: 'signal', id: capped('event.id'), action: capped('event.action'), provider: capped('event.provider') },
    cloud: { account: { id: capped('cloud.account.id') }, region: capped('cloud.region') },
    kibana: {
      alert: {
        uuid: capped('kibana.alert.uuid'),
        original_time: capped('kibana.alert.original_time'),
        severity: rule.severity,
        risk_score: rule.riskScore,
        rule: { rule_id: rule.ruleId, name: rule.name },
        truncated_fields: ['everything but ids, rule and location: the archived alert holds the full document'],
      },
    },
  };
  return JSON.stringify({ default: JSON.stringify(stub), email: truncate(email, 16 * 1024) });
}

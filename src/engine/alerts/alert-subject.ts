import type { DetectionRule } from '../rules/detection-rule';
import type { AlertFacts } from './alert-facts';
import { sanitizeForSubject } from './sanitize-text';

/** SNS requires fewer than 100 characters. */
export const MAX_SUBJECT_LENGTH = 99;

/** Used when SNS rejects a subject anyway; contains nothing taken from the event. */
export function genericSubject(rule: DetectionRule): string {
  return sanitizeForSubject(`[${rule.severity.toUpperCase()}] ${rule.name}`, MAX_SUBJECT_LENGTH);
}

/** Room for an account's display name in the subject; the id and the region always come whole after it. */
const MAX_SUBJECT_ACCOUNT_NAME = 24;

/**
 * `[LOW] RDS Snapshot Export: orders-prod -> s3://corp-exports (123456789012/us-east-1)`, or with a configured
 * account name `... (Payments-Prod (123456789012)/us-east-1)`.
 * The severity, the account and the region always survive; the middle is shortened first, then the account name.
 */
export function alertSubject(rule: DetectionRule, facts: AlertFacts): string {
  // Every alert is about AWS; the four characters are better spent on the target.
  const head = `[${rule.severity.toUpperCase()}] ${sanitizeForSubject(rule.name.replace(/^AWS\s+/, ''), 60)}`;
  const where = facts.account || facts.region ? ` (${subjectWhere(facts)})` : '';
  const room = MAX_SUBJECT_LENGTH - head.length - where.length - 2;
  const targets = subjectTargets(facts, room).map((target) => sanitizeForSubject(target, Number.MAX_SAFE_INTEGER));
  // The most detailed wording that fits whole; failing that, the shortest one, cut.
  const what = targets.find((target) => target.length <= room) ?? (targets.length > 0 ? sanitizeForSubject(targets[targets.length - 1], room) : '');
  const middle = what && room >= 8 ? `: ${what}` : '';
  return sanitizeForSubject(`${head}${middle}${where}`, MAX_SUBJECT_LENGTH);
}

/** Ways to say what the call touched, from the most to the least detailed. */
function subjectTargets(facts: AlertFacts, room: number): string[] {
  const task = facts.exportTask;
  if (task) {
    const prefix = task.prefix?.replace(/^\/+/, '');
    const withPrefix = task.bucket && prefix ? `s3://${task.bucket}/${prefix}` : undefined;
    const bucketOnly = task.bucket ? `s3://${task.bucket}` : undefined;
    const source = task.sourceName;
    const candidates = [withPrefix, bucketOnly]
      .filter((destination): destination is string => destination !== undefined)
      .map((destination) => (source ? `${source} -> ${destination}` : destination));
    // Where the data went matters more than the full source name: shorten the source before dropping the bucket.
    if (source && bucketOnly) {
      const sourceRoom = room - ` -> ${bucketOnly}`.length;
      if (sourceRoom >= 8 && source.length > sourceRoom) candidates.push(`${source.slice(0, sourceRoom - 3)}... -> ${bucketOnly}`);
    }
    return candidates.concat(source ? [source] : []);
  }
  const target = facts.target ?? facts.actor.name;
  return target ? [target] : [];
}

/** `123456789012/us-east-1`, or `Payments-Prod (123456789012)/us-east-1` with the name cut to fit. */
function subjectWhere(facts: AlertFacts): string {
  const ids = sanitizeForSubject([facts.account, facts.region].filter(Boolean).join('/'), 40);
  const name = facts.account && facts.accountName ? sanitizeForSubject(facts.accountName, MAX_SUBJECT_ACCOUNT_NAME) : '';
  if (!name) return ids;
  const region = facts.region ? `/${sanitizeForSubject(facts.region, 20)}` : '';
  return `${name} (${sanitizeForSubject(facts.account!, 20)})${region}`;
}

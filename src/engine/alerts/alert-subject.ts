import type { DetectionRule } from '../rules/detection-rule';
import type { AlertFacts } from './alert-facts';
import type { AlertStory, SubjectAction } from './alert-story';
import { sanitizeForSubject } from './sanitize-text';

/** SNS requires fewer than 100 characters. */
export const MAX_SUBJECT_LENGTH = 99;

/** Used when SNS rejects a subject anyway; contains nothing taken from the event. */
export function genericSubject(rule: DetectionRule): string {
  return sanitizeForSubject(`[${rule.severity.toUpperCase()}] ${rule.name}`, MAX_SUBJECT_LENGTH);
}

/** Room for an account's display name in the subject; the id and the region always come whole after it. */
const MAX_SUBJECT_ACCOUNT_NAME = 24;
/** Room for who did it when the action needs the rest. */
const SHORT_ACTOR = 20;

/**
 * `[LOW] alice exported orders-prod to s3://corp-exports (111122223333 us-east-1)`: severity, who and what first, so
 * a phone's list shows them; account and region always kept at the end (with the account's name when configured and
 * there is room). The most detailed wording of the action that fits is used; failing that, the actor is shortened,
 * then the shortest wording is cut. Printable ASCII, under 100 characters.
 */
export function alertSubject(rule: DetectionRule, story: AlertStory, facts: AlertFacts): string {
  const head = `[${rule.severity.toUpperCase()}]`;
  const actions: readonly SubjectAction[] = story.subjectActions.length > 0 ? story.subjectActions : [rule.name];
  const fullActor = sanitizeForSubject(story.actor || 'unknown', 40);
  const shortActor = sanitizeForSubject(fullActor, SHORT_ACTOR);
  // Give up, in this order: the account's name, then the end of a long actor; the action is shortened within each.
  const attempts = subjectWheres(facts).flatMap((where) => [fullActor, shortActor].map((actor) => ({ where, actor })));
  for (const { where, actor } of [...attempts.filter(({ actor }) => actor === fullActor), ...attempts.filter(({ actor }) => actor !== fullActor)]) {
    const room = MAX_SUBJECT_LENGTH - head.length - where.length - actor.length - 2;
    for (const candidate of actions) {
      const action = fitAction(candidate, room);
      if (action !== undefined) return `${head} ${actor} ${action}${where}`;
    }
  }
  const where = subjectWheres(facts).pop() ?? '';
  const room = MAX_SUBJECT_LENGTH - head.length - where.length - shortActor.length - 2;
  const last = actions[actions.length - 1];
  const text = typeof last === 'string' ? last : last.around(last.shrinkable);
  return sanitizeForSubject(`${head} ${shortActor} ${sanitizeForSubject(text, Math.max(room, 4))}${where}`, MAX_SUBJECT_LENGTH);
}

/** The wording in at most `room` characters: whole, or with its shrinkable part cut (keeping at least 8 of it). */
function fitAction(candidate: SubjectAction, room: number): string | undefined {
  if (typeof candidate === 'string') {
    const text = sanitizeForSubject(candidate, Number.MAX_SAFE_INTEGER);
    return text.length <= room ? text : undefined;
  }
  const part = sanitizeForSubject(candidate.shrinkable, Number.MAX_SAFE_INTEGER);
  const whole = sanitizeForSubject(candidate.around(part), Number.MAX_SAFE_INTEGER);
  if (whole.length <= room) return whole;
  const available = part.length - (whole.length - room);
  return available >= 8 ? sanitizeForSubject(candidate.around(sanitizeForSubject(part, available)), Number.MAX_SAFE_INTEGER) : undefined;
}

/** ` (Payments-Prod 123456789012 us-east-1)` when the account has a name, then ` (123456789012 us-east-1)`. */
function subjectWheres(facts: AlertFacts): string[] {
  const ids = sanitizeForSubject([facts.account, facts.region].filter(Boolean).join(' '), 40);
  if (ids === '') return [''];
  const name = facts.account && facts.accountName ? sanitizeForSubject(facts.accountName, MAX_SUBJECT_ACCOUNT_NAME) : '';
  return [...(name ? [` (${name} ${ids})`] : []), ` (${ids})`];
}

import type { AlertFacts } from '../alert-facts';
import { eventValue } from '../text-layout';

/**
 * Who made the call, for the summary sentence: `alice@example.com (role DataEngineer)`, `IAM user bob`,
 * `the root user`, with the caller's account when it is not the account the event happened in.
 */
export function describeActor(facts: AlertFacts): string {
  const { actor } = facts;
  const role = actor.issuer?.name;
  let who: string;
  switch (actor.identityType) {
    case 'AssumedRole':
      who = actor.sessionName && role ? `${eventValue(actor.sessionName)} (role ${eventValue(role)})` : `role ${eventValue(role ?? actor.name ?? 'unknown')}`;
      break;
    case 'IAMUser':
      who = `IAM user ${eventValue(actor.name ?? 'unknown')}`;
      break;
    case 'Root':
      who = 'the root user';
      break;
    case 'FederatedUser':
      who = `federated user ${eventValue(actor.sessionName ?? actor.name ?? 'unknown')}${role ? ` (of IAM user ${eventValue(role)})` : ''}`;
      break;
    case 'AWSService':
      who = `AWS service ${eventValue(actor.invokedBy ?? actor.name ?? 'unknown')}`;
      break;
    default:
      who = actor.name ? eventValue(actor.name) : actor.arn ? eventValue(actor.arn) : 'an unknown identity';
  }
  const callerAccount = actor.accountId && actor.accountId !== facts.account ? ` of account ${accountPhrase(actor.accountId, facts.callerAccountName)}` : '';
  return `${who}${callerAccount}`;
}

/** Who made the call in a word, for the subject: the session name (often the person), the user, `root`. */
export function shortActor(facts: AlertFacts): string {
  const { actor } = facts;
  if (actor.identityType === 'Root') return 'root';
  if (actor.identityType === 'AWSService') return actor.invokedBy ?? actor.name ?? 'an AWS service';
  return actor.sessionName ?? actor.name ?? actor.issuer?.name ?? 'unknown';
}

/** `in us-east-1 of account 123456789012`, with the account's name when configured. */
export function describeWhere(facts: AlertFacts): string {
  const region = facts.region ? eventValue(facts.region, 40) : 'an unknown region';
  return facts.account ? `in ${region} of account ${accountPhrase(facts.account, facts.accountName)}` : `in ${region}`;
}

/** `Payments-Prod (123456789012)` or `123456789012`, each part kept whole on a line. */
function accountPhrase(account: string, name: string | undefined): string {
  return name ? `${eventValue(name, 60)} (${eventValue(account, 40)})` : eventValue(account, 40);
}

/** `at 03:15:42 UTC on 2026-11-20`, or the raw text when it is not a time. */
export function describeWhen(time: string | undefined): string {
  if (time === undefined) return '';
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return `at ${eventValue(time, 60)}`;
  const iso = date.toISOString();
  return `at ${iso.slice(11, 19)} UTC on ${iso.slice(0, 10)}`;
}

/** `rds:StartExportTask`. */
export function apiCall(facts: AlertFacts): string {
  return [facts.provider?.replace(/\.amazonaws\.com$/, ''), facts.action].filter(Boolean).join(':') || 'an API';
}

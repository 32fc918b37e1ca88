import type { AlertFacts } from './alert-facts';

export interface ConsoleLink {
  readonly label: string;
  readonly url: string;
}

/**
 * Deep links into the AWS console for the account and region the event happened in. They open in whatever account
 * the reader is signed in to, so the e-mail says which account to switch to next to them.
 */
export function consoleLinks(facts: AlertFacts): ConsoleLink[] {
  const region = facts.region && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(facts.region) ? facts.region : undefined;
  if (!region) return [];
  const host = `https://${region}.console.aws.amazon.com`;
  const links: ConsoleLink[] = [];
  const task = facts.exportTask;
  if (task?.taskId) {
    links.push({
      label: 'Export task',
      url: `${host}/rds/home?region=${region}#export-task:id=${encodeUriPart(task.taskId)};source-location=exports-in-s3`,
    });
  }
  if (task?.bucket) {
    const prefix = task.prefix ? `&prefix=${encodeUriPart(task.prefix.endsWith('/') ? task.prefix : `${task.prefix}/`)}` : '';
    links.push({
      label: 'Destination bucket',
      url: `https://s3.console.aws.amazon.com/s3/buckets/${encodeUriPart(task.bucket)}?region=${region}${prefix}`,
    });
  }
  if (facts.eventId) {
    links.push({
      label: 'CloudTrail event',
      url: `${host}/cloudtrail/home?region=${region}#/events/${encodeUriPart(facts.eventId)}`,
    });
  }
  return links;
}

/**
 * `encodeURIComponent` throws URIError on a lone surrogate, which an event value can hold (JSON allows `"\ud83d"`);
 * a throw here would fail the alert on every retry. Lone surrogates become U+FFFD first.
 */
function encodeUriPart(value: string): string {
  return encodeURIComponent(value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
}

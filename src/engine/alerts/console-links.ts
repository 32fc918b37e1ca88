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
      url: `${host}/rds/home?region=${region}#export-task:id=${encodeURIComponent(task.taskId)};source-location=exports-in-s3`,
    });
  }
  if (task?.bucket) {
    const prefix = task.prefix ? `&prefix=${encodeURIComponent(task.prefix.endsWith('/') ? task.prefix : `${task.prefix}/`)}` : '';
    links.push({
      label: 'Destination bucket',
      url: `https://s3.console.aws.amazon.com/s3/buckets/${encodeURIComponent(task.bucket)}?region=${region}${prefix}`,
    });
  }
  if (facts.eventId) {
    links.push({
      label: 'CloudTrail event',
      url: `${host}/cloudtrail/home?region=${region}#/events/${encodeURIComponent(facts.eventId)}`,
    });
  }
  return links;
}

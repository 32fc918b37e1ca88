import type { DetectionRule } from '../rules/detection-rule';
import { accountLabel, type AlertFacts } from './alert-facts';
import { consoleLinks } from './console-links';
import { sanitizeInline } from './sanitize-text';

const LABEL_WIDTH = 14;

/**
 * The plain-text e-mail an on-call engineer reads on a phone: the verdict first, then who, what and where,
 * then links and the rule's investigation guide. Every value from the event goes through sanitizeInline, so one
 * field is always one line and cannot imitate another.
 */
export function alertEmail(rule: DetectionRule, facts: AlertFacts, alertId: string, raisedAt: string, notes: readonly string[] = []): string {
  const lines: string[] = [];
  const push = (label: string, value: string | undefined, maxLength?: number): void => {
    if (value === undefined || value === '') return;
    lines.push(`${`${label}:`.padEnd(LABEL_WIDTH)} ${sanitizeInline(value, maxLength)}`);
  };
  const section = (title: string): void => {
    lines.push('', title.toUpperCase());
  };

  lines.push(`${rule.severity.toUpperCase()} severity alert: ${rule.name}`);
  lines.push(sanitizeInline(headline(facts), 600));
  // e.g. alert suppression: `2 more matches were suppressed since <time>` (built by the engine, not from the event).
  for (const note of notes) lines.push(sanitizeInline(note, 300));

  section('What happened');
  push('Action', [facts.provider?.replace(/\.amazonaws\.com$/, ''), facts.action].filter(Boolean).join(':'));
  push('Outcome', facts.outcome);
  push('Event time', facts.eventTime);
  push('Alert raised', raisedAt);
  push('Account', accountLabel(facts.account, facts.accountName));
  push('Region', facts.region);

  section('Who');
  push('Identity', facts.actor.identityType);
  push(facts.actor.identityType === 'AssumedRole' ? 'Role' : 'Name', facts.actor.name);
  push('Session', facts.actor.sessionName);
  push('ARN', facts.actor.arn);
  push('Access key', facts.actor.accessKeyId);
  push('Caller acct', facts.actor.accountId !== facts.account ? accountLabel(facts.actor.accountId, facts.callerAccountName) : undefined);
  push('Via service', facts.actor.invokedBy);
  push('Source IP', facts.sourceAddress && (facts.sourceNetwork ? `${facts.sourceAddress} (${facts.sourceNetwork})` : facts.sourceAddress));
  if (facts.userAgentTool !== undefined && facts.userAgent !== undefined) {
    // The tool first, the raw string below it (indented under the value column): the evidence stays in the mail.
    push('User agent', facts.userAgentTool);
    lines.push(`${' '.repeat(LABEL_WIDTH)} ${sanitizeInline(facts.userAgent, 200)}`);
  } else {
    push('User agent', facts.userAgent, 200);
  }

  const task = facts.exportTask;
  if (task) {
    section('What was exported');
    push('Source', task.sourceArn);
    push('Source type', task.sourceKind);
    push('Destination', task.bucket ? `s3://${task.bucket}/${(task.prefix ?? '').replace(/^\/+/, '')}` : undefined);
    push('Tables', task.exportOnly.length > 0 ? task.exportOnly.join(', ') : 'everything (no exportOnly filter)', 500);
    push('KMS key', task.kmsKeyId);
    push('IAM role', task.iamRoleArn);
    push('Export task', task.taskId);
    push('Task status', task.status);
  } else if (facts.target) {
    section('Target');
    push('Resource', facts.target);
  }

  section('Rule');
  push('Severity', `${rule.severity} (risk score ${rule.riskScore})`);
  for (const mapping of rule.threat) {
    push('MITRE tactic', `${mapping.tactic.id} ${mapping.tactic.name}`);
    for (const technique of mapping.technique) {
      push('Technique', `${technique.id} ${technique.name}`);
      for (const sub of technique.subtechnique) push('Sub-technique', `${sub.id} ${sub.name}`);
    }
  }
  push('Rule', `${rule.name} (${rule.ruleId})`);

  const links = consoleLinks(facts);
  if (links.length > 0) {
    section('Open in the AWS console');
    // Console URLs cannot choose the account: they open in whichever one the reader is signed in to.
    lines.push(`(sign in to account ${sanitizeInline(accountLabel(facts.account, facts.accountName) ?? 'unknown')} first)`);
    for (const link of links) lines.push(`${link.label}:`, `  ${link.url}`);
  }

  if (rule.note) {
    section('What to do');
    lines.push(markdownToText(rule.note));
  }
  if (rule.falsePositives.length > 0) {
    section('Known false positives');
    for (const text of rule.falsePositives) lines.push(`- ${text.trim().replace(/\s+/g, ' ')}`);
  }

  lines.push('', `Event id: ${sanitizeInline(facts.eventId ?? 'none')}`, `Alert id: ${alertId}`);
  return lines.join('\n');
}

/** The first line a reader sees: the whole story in one sentence. */
function headline(facts: AlertFacts): string {
  const who = facts.actor.sessionName ? `${facts.actor.name ?? 'a role'} (session ${facts.actor.sessionName})` : facts.actor.name ?? facts.actor.arn ?? 'an unknown identity';
  const where = `account ${accountLabel(facts.account, facts.accountName) ?? 'unknown'}, ${facts.region ?? 'unknown region'}`;
  const task = facts.exportTask;
  if (task) {
    const destination = task.bucket ? `s3://${task.bucket}/${(task.prefix ?? '').replace(/^\/+/, '')}` : 'S3';
    return `${who} started exporting ${task.sourceKind} ${task.sourceName ?? '(unknown)'} to ${destination} in ${where}.`;
  }
  return `${who} called ${facts.action ?? 'an API'}${facts.target ? ` on ${facts.target}` : ''} in ${where}.`;
}

/** The investigation guide is Markdown; in a text e-mail the emphasis markers are noise. */
function markdownToText(markdown: string): string {
  return markdown
    // Set-up instructions are for whoever deploys the rule, not for whoever answers the alert.
    .replace(/^#{1,6}\s*Setup\s*$[\s\S]*?(?=^#{1,2}\s|(?![\s\S]))/gim, '')
    .replace(/^#{1,6}\s*(.+)$/gm, (_, title: string) => title.toUpperCase())
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .trim();
}

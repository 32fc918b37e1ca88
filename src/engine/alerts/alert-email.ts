import { accountLabel } from './alert-facts';
import type { AlertStory, AlertSubject } from './alert-story';
import { sanitizeInline } from './sanitize-text';
import { sequenceEventIds } from './sequence-ids';
import { renderCommand } from './shell-command';
import { EMAIL_WIDTH, labelledLines, wrap } from './text-layout';

/** The header of the part an on-call engineer acts on, on the first screen of a phone. */
export const RESPONSE_HEADER = 'If this was not expected, now:';

/** Longest value shown in the details; the alert JSON and the archive keep everything. */
const MAX_DETAIL_VALUE = 500;

/** Longest summary, step title or note: sentences that may embed event values (a rule's reason, a narrator's). */
const MAX_SENTENCE = 1000;

/**
 * The plain-text e-mail, phone first: one sentence of what happened and who did it; "If this was not expected,
 * now:" with the commands filled in with this event's values; the details; the rule's investigation guide last.
 * Lines are at most 78 characters, except a URL, which is never cut. Every value from the event is sanitized and
 * wrapped lines are indented, so an attacker-chosen value cannot add, disguise or imitate a line.
 */
export function alertEmail(story: AlertStory, subject: AlertSubject): string {
  // Narrators build sentences from sanitized values, but a sentence may come whole from the alert (a stateful or
  // sequence rule's `kibana.alert.reason`, which embeds terms and keys): sentences are sanitized here, once for all.
  const lines: string[] = [...wrap(sanitizeInline(story.summary, MAX_SENTENCE))];
  for (const note of story.notes) lines.push(...wrap(sanitizeInline(note, 300)));

  if (story.steps.length > 0) {
    lines.push('', RESPONSE_HEADER);
    story.steps.forEach((step, index) => {
      const number = `${index + 1}. `;
      const indent = ' '.repeat(number.length);
      lines.push('', ...wrap(sanitizeInline(step.title, MAX_SENTENCE), { firstIndent: number, indent }));
      for (const command of step.commands) lines.push(...renderCommand(command, indent));
      if (step.note) lines.push(...wrap(sanitizeInline(step.note, MAX_SENTENCE), { firstIndent: indent, indent }));
      if (step.undo) lines.push(`${indent}To undo it:`, ...renderCommand(step.undo, indent));
    });
  }

  for (const section of story.sections) {
    if (section.lines.length === 0) continue;
    lines.push('', section.title.toUpperCase());
    for (const { label, value } of section.lines) lines.push(...labelledLines(label, sanitizeInline(value, MAX_DETAIL_VALUE)));
  }

  if (story.links.length > 0) {
    lines.push('', 'OPEN IN THE AWS CONSOLE');
    // Console URLs cannot choose the account: they open in whichever one the reader is signed in to.
    lines.push(...wrap(`(sign in to account ${sanitizeInline(accountLabel(subject.facts.account, subject.facts.accountName) ?? 'unknown')} first)`));
    for (const link of story.links) lines.push(`${link.label}:`, `  ${link.url}`);
  }

  if (story.guide.trim() !== '') lines.push('', 'INVESTIGATION GUIDE', ...markdownToText(story.guide));
  if (story.falsePositives.length > 0) {
    lines.push('', 'KNOWN FALSE POSITIVES');
    for (const text of story.falsePositives) lines.push(...wrap(text, { firstIndent: '- ', indent: '  ' }));
  }

  // A sequence's alert is about several events: their ids, in order.
  const stepIds = subject.facts.eventId === undefined ? sequenceEventIds(subject.alert) : [];
  const eventIds = stepIds.length > 1 ? labelledLines('Event ids', sanitizeInline(stepIds.join(', '))) : labelledLines('Event id', sanitizeInline(subject.facts.eventId ?? stepIds[0] ?? 'none'));
  lines.push('', ...eventIds, ...labelledLines('Alert id', subject.alertId));
  return lines.join('\n');
}

/**
 * The investigation guide is Markdown written for Kibana; in a text e-mail it is wrapped to the width, headings in
 * capitals, list items with a hanging indent, emphasis and code markers dropped. Set-up instructions are for whoever
 * deploys the rule, not for whoever answers the alert, and are left out.
 */
export function markdownToText(markdown: string, width = EMAIL_WIDTH): string[] {
  const text = markdown
    .replace(/^#{1,6}\s*Setup\s*$[\s\S]*?(?=^#{1,2}\s|(?![\s\S]))/gim, '')
    // Elastic's guides all open with this heading; the e-mail's own heading says it already.
    .replace(/^\s*#{1,6}\s*Triage and analysis\s*$/im, '')
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .trim();
  const lines: string[] = [];
  let afterHeading = true;
  for (const block of text.split(/\n\s*\n/)) {
    const blockLines = block.split('\n').map((line) => line.trim()).filter((line) => line !== '');
    if (blockLines.length === 0) continue;
    if (!afterHeading) lines.push('');
    afterHeading = false;
    let item: string[] = [];
    const flushItem = (): void => {
      if (item.length === 0) return;
      const joined = sanitizeInline(item.join(' '), 10_000);
      const marker = /^(\d+\.|[-*])\s+/.exec(joined);
      lines.push(...wrap(joined, { width, indent: marker ? ' '.repeat(marker[0].length) : '' }));
      item = [];
    };
    for (const line of blockLines) {
      const heading = /^#{1,6}\s*(.+)$/.exec(line);
      if (heading) {
        flushItem();
        lines.push(...wrap(sanitizeInline(heading[1].toUpperCase(), 200), { width }));
        afterHeading = blockLines.length === 1;
      } else if (/^(\d+\.|[-*])\s+/.test(line)) {
        flushItem();
        item = [line];
      } else {
        item.push(line);
      }
    }
    flushItem();
  }
  return lines;
}

import type { AlertNarrator, AlertStory, AlertSubject } from '../alert-story';
import { getPath, getText } from '../field-access';
import { baselineNote } from '../stateful-fields';

/**
 * new_terms and threshold alerts: the summary says in words what was new (`First time in 7 days: user alice in
 * account 111122223333 called ec2:CreateKeyPair.`) or how many and how fast (`12 failed signin:ConsoleLogin calls in
 * 6 minutes in account 111122223333 from 3 addresses.`); the event's own sentence follows as a note, with the
 * baseline line while the rule's history is incomplete; a section lists the new values, or the events counted.
 */
export const statefulNarrator: AlertNarrator = {
  name: 'stateful',
  narrate(story: AlertStory, { alert }: AlertSubject): void {
    const newTerms = getPath(alert, 'kibana.alert.new_terms');
    const result = getPath(alert, 'kibana.alert.threshold_result') as { count?: unknown; terms?: unknown } | undefined;
    if (!Array.isArray(newTerms) && result === undefined) return;
    const reason = getText(alert, 'kibana.alert.reason');
    if (reason) {
      if (story.summary) story.notes.unshift(story.summary);
      story.summary = reason;
    }
    const baseline = baselineNote(alert);
    if (baseline) story.notes.push(baseline);

    if (Array.isArray(newTerms)) {
      const fields = getPath(alert, 'kibana.alert.rule.new_terms_fields');
      const names = Array.isArray(fields) ? fields : [];
      const section = story.section('new-terms', 'New term');
      newTerms.forEach((value, i) => section.add(String(names[i] ?? `Field ${i + 1}`), String(value)));
      section.add('History', getText(alert, 'kibana.alert.rule.history_window_start'));
      story.subjectActions = [`new ${newTerms.map(String).join(' / ')}`, ...story.subjectActions];
      return;
    }
    const ids = getPath(alert, 'kibana.alert.threshold_events.ids');
    const listed = Array.isArray(ids) ? ids.map(String) : [];
    const count = typeof result?.count === 'number' ? result.count : listed.length;
    const more = count > listed.length ? ` and ${count - listed.length} more` : '';
    const section = story.section('threshold', 'Counted events').add('Count', String(count));
    for (const term of Array.isArray(result?.terms) ? (result.terms as { field?: unknown; value?: unknown }[]) : []) section.add(String(term.field), String(term.value));
    section
      .add('First', getText(alert, 'kibana.alert.threshold_events.first'))
      .add('Last', getText(alert, 'kibana.alert.threshold_events.last'))
      .add('Event ids', `${listed.join(', ')}${more}`);
    story.subjectActions = [`${count} times in ${getText(alert, 'kibana.alert.rule.from')?.replace(/^now-/, '') ?? 'the window'}`, ...story.subjectActions];
  },
};

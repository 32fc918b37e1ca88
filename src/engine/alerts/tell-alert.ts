import { accountLabel } from './alert-facts';
import { AlertStory, type AlertNarrator, type AlertSubject, type EventNarrator } from './alert-story';
import { ALERT_NARRATORS, EVENT_NARRATORS } from './narrators';

export interface Narrators {
  readonly events: readonly EventNarrator[];
  readonly others: readonly AlertNarrator[];
}

/**
 * The story of one alert, for its e-mail and subject: the alert's name first, then what the first event narrator
 * that recognizes the event says, then where and when, then what every other narrator adds. `notes` (e.g. about
 * suppressed matches) are shown under the summary.
 */
export function tellAlert(subject: AlertSubject, notes: readonly string[] = [], narrators: Narrators = { events: EVENT_NARRATORS, others: ALERT_NARRATORS }): AlertStory {
  const { rule, facts } = subject;
  const story = new AlertStory();
  story.notes.push(...notes);
  story.section('what', 'What happened').add('Alert', `${rule.name} (${rule.severity} severity)`);
  for (const narrator of narrators.events) if (narrator.narrate(story, subject)) break;
  story
    .section('what', 'What happened')
    .add('Event time', facts.eventTime)
    .add('Alert raised', subject.raisedAt)
    .add('Account', accountLabel(facts.account, facts.accountName))
    .add('Region', facts.region);
  for (const narrator of narrators.others) narrator.narrate(story, subject);
  return story;
}

import type { AlertNarrator, EventNarrator } from '../alert-story';
import { apiCallNarrator } from './api-call-narrator';
import { exportTaskNarrator } from './export-task-narrator';
import { identityNarrator } from './identity-narrator';
import { ruleNarrator } from './rule-narrator';
import { sequenceNarrator } from './sequence-narrator';
import { statefulNarrator } from './stateful-narrator';

/**
 * What the event was: the first narrator that recognizes it writes the summary and the subject's action. Put a
 * narrator for a specific API call before `apiCallNarrator`, which recognizes every event.
 */
export const EVENT_NARRATORS: readonly EventNarrator[] = [exportTaskNarrator, apiCallNarrator];

/**
 * Everything else, in this order, each adding to the story: the caller and how to stop them, the rule. A rule type
 * (new terms, threshold, sequences) adds its narrator here to reframe the summary and add its details; so does an
 * enrichment (the source's network and place, the parsed user agent) to add lines to the `who` section.
 */
export const ALERT_NARRATORS: readonly AlertNarrator[] = [identityNarrator, statefulNarrator, sequenceNarrator, ruleNarrator];

export { apiCallNarrator, exportTaskNarrator, identityNarrator, ruleNarrator, sequenceNarrator, statefulNarrator };

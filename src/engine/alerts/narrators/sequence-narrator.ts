import type { AlertNarrator, AlertStory, AlertSubject } from '../alert-story';
import { getPath, getText } from '../field-access';
import { eventValue } from '../text-layout';

interface SequenceField {
  readonly key?: readonly { readonly field?: unknown; readonly value?: unknown }[];
  readonly maxspan?: unknown;
  readonly steps?: readonly { readonly stage?: unknown; readonly event_id?: unknown; readonly time?: unknown; readonly action?: unknown }[];
}

/**
 * EQL sequence alerts (the shell alert, sequence-fields.ts): the summary says who did what, then what, how much
 * later (`Access key AKIA… called bedrock:ListFoundationModels, then bedrock:InvokeModel 3 minutes later (the rule
 * allows 15 minutes).`); a section lists the shared key and each step in order with its time and event id. The
 * shell holds what the steps share, so the identity narrator still says how to stop the caller.
 */
export const sequenceNarrator: AlertNarrator = {
  name: 'sequence',
  narrate(story: AlertStory, { alert }: AlertSubject): void {
    const sequence = getPath(alert, 'kibana.alert.sequence') as SequenceField | undefined;
    if (typeof sequence !== 'object' || sequence === null || !Array.isArray(sequence.steps)) return;
    // The event narrator described the fields the steps share, which is not one call: the sequence replaces it.
    const reason = getText(alert, 'kibana.alert.reason');
    if (reason) story.summary = reason;
    const section = story.section('sequence', 'Sequence');
    for (const part of Array.isArray(sequence.key) ? sequence.key : []) section.add(`Key ${eventValue(String(part.field), 80)}`, eventValue(String(part.value), 200));
    if (typeof sequence.maxspan === 'string') section.add('Within', `maxspan ${eventValue(sequence.maxspan, 20)}`);
    const actions: string[] = [];
    sequence.steps.forEach((step, i) => {
      const action = eventValue(String(step.action ?? 'an API'), 120);
      actions.push(action);
      section.add(`Step ${i + 1}`, `${action} at ${eventValue(String(step.time ?? '?'), 40)} (event ${eventValue(String(step.event_id ?? '?'), 80)})`);
    });
    story.subjectActions = [`${actions.join(' then ')}`, ...story.subjectActions.filter((action) => action !== 'called an API')];
  },
};

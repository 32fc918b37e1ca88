import type { AlertNarrator, AlertStory, AlertSubject } from '../alert-story';
import { getPath, getText } from '../field-access';
import { sanitizeInline } from '../sanitize-text';
import { describeTerms } from '../stateful-fields';
import { eventValue } from '../text-layout';

interface SequenceField {
  readonly key?: readonly { readonly field?: unknown; readonly value?: unknown }[];
  readonly maxspan?: unknown;
  readonly steps?: readonly { readonly stage?: unknown; readonly event_id?: unknown; readonly time?: unknown; readonly action?: unknown }[];
}

/**
 * EQL sequence alerts (the shell alert, sequence-fields.ts): the summary says who did what, then what, how much
 * later (`Access key AKIA… called bedrock:ListFoundationModels, then bedrock:InvokeModel 3 minutes later (the rule
 * allows 15 minutes).`); a section lists the shared key and each step in order with its time (the event ids close
 * the e-mail). The
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
    const key = Array.isArray(sequence.key) ? sequence.key : [];
    // `access key AKIA…`, `user alice in account 111122223333`: the fields in words where the phrase is known.
    if (key.length > 0) section.add('Shared key', sanitizeInline(describeTerms(key.map((part) => String(part.field)), key.map((part) => String(part.value))), 300));
    if (typeof sequence.maxspan === 'string') section.add('Within', `maxspan ${eventValue(sequence.maxspan, 20)}`);
    const actions: string[] = [];
    sequence.steps.forEach((step, i) => {
      const action = eventValue(String(step.action ?? 'an API'), 120);
      actions.push(action);
      section.add(`Step ${i + 1}`, `${eventValue(String(step.time ?? '?'), 40)} ${action}`);
    });
    const steps = actions.join(' then ');
    story.subjectActions = [steps];
    // The event narrator saw only what the steps share (the service, not one action): the action is the steps.
    const what = story.section('what', 'What happened');
    const action = what.lines.findIndex((line) => line.label === 'Action');
    if (action >= 0) what.lines.splice(action, 1, { label: 'Actions', value: steps });
  },
};

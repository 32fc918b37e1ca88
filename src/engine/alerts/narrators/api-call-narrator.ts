import type { AlertStory, AlertSubject, EventNarrator } from '../alert-story';
import { consoleLinks } from '../console-links';
import { getText } from '../field-access';
import { eventValue } from '../text-layout';
import { apiCall, describeActor, describeWhen, describeWhere, shortActor } from './phrases';

/** Any API call: who called what on which resource, where and when, and whether it failed. */
export const apiCallNarrator: EventNarrator = {
  name: 'API call',
  narrate(story: AlertStory, { facts, alert }: AlertSubject): boolean {
    const call = apiCall(facts);
    const errorCode = getText(alert, 'aws.cloudtrail.error_code');
    const target = facts.target;
    const failed = facts.outcome === 'failure' ? ` (it failed${errorCode ? `: ${eventValue(errorCode, 80)}` : ''})` : '';
    story.summary = `${describeActor(facts)} called ${eventValue(call, 120)}${target ? ` on ${eventValue(target)}` : ''}${failed} ${describeWhere(facts)} ${describeWhen(facts.eventTime)}.`;
    story.actor = shortActor(facts);
    story.subjectActions = [...(target ? [`called ${call} on ${target}`] : []), `called ${call}`];
    story.section('what', 'What happened').add('Action', call).add('Outcome', facts.outcome).add('Error', errorCode).add('Resource', target);
    story.links.push(...consoleLinks(facts));
    return true;
  },
};

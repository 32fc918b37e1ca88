import type { AlertDocument } from './alert-types';
import { getPath } from './field-access';

/**
 * The ids of an EQL sequence alert's events, in order (`kibana.alert.ancestors` of the shell alert, which has no
 * `event.id` of its own: Elastic's shell keeps only what its events share); empty for any other alert.
 */
export function sequenceEventIds(alert: AlertDocument): string[] {
  const ancestors = getPath(alert, 'kibana.alert.ancestors');
  if (getPath(alert, 'kibana.alert.group.id') === undefined || !Array.isArray(ancestors)) return [];
  return ancestors.flatMap((ancestor) => {
    const id = getPath(ancestor, 'id');
    return typeof id === 'string' && id !== '' ? [id] : [];
  });
}

/** The actions of an EQL sequence alert's steps, in order (`bedrock:ListFoundationModels`); empty for any other alert. */
export function sequenceStepActions(alert: AlertDocument): string[] {
  const steps = getPath(alert, 'kibana.alert.sequence.steps');
  if (!Array.isArray(steps)) return [];
  return steps.map((step) => {
    const action = getPath(step, 'action');
    return typeof action === 'string' ? action : '?';
  });
}

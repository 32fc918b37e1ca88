import type { EcsDocument } from '../ecs/ecs-document';
import type { DetectionRule } from '../rules/detection-rule';
import type { SequenceFinding } from '../stateful/evaluate-sequence';
import { sequenceIdentity, type EventSummary, type SequenceStep } from '../stateful/sequence';
import { alertUuid } from './alert-id';
import type { AlertDocument, DetectionContext } from './alert-types';
import { buildAlert } from './build-alert';
import { capitalize, describeDuration, describeTerms, withKibanaAlert } from './stateful-fields';

/**
 * The alerts of an EQL sequence, in Elastic's building-block shape (Kibana's buildAlertGroupFromSequence):
 *
 * - one **building-block alert** per event of the sequence: the event's alert with
 *   `kibana.alert.building_block_type: "default"`, `kibana.alert.group.id` and `kibana.alert.group.index` (its place
 *   in the sequence);
 * - one **shell alert** for the sequence: the fields all building blocks share (Elastic's intersection: the
 *   identity, account, region of the shared key), the rule, `kibana.alert.uuid` = `kibana.alert.group.id`, and
 *   `kibana.alert.ancestors`, one per event.
 *
 * Elastic indexes the building blocks as alerts of their own, hidden by default. A notification cannot be indexed,
 * and one sequence is one page, so here the shell carries them in `kibana.alert.building_blocks`, each ready to
 * be indexed as is, and one delivery (exactly once, one e-mail) covers the whole group. For people the shell adds
 * `kibana.alert.sequence`: the shared key, maxspan, and the steps in order with their times.
 *
 * An earlier step is known by the summary its key's state kept (a few dozen identity, source and event fields,
 * long values cut; evaluate-sequence.ts), not its whole document: a building block holds those fields. A last step
 * kept before a late earlier step found the sequence is known by its action only: it removes from the intersection
 * what it contradicts and what no two events share, and vouches for nothing else.
 */
export interface SequenceAlertOptions {
  /** The query's maxspan as written (`15m`), when it has one. */
  readonly maxspan?: string;
  readonly maxspanMs?: number;
}

export function buildSequenceAlert(rule: DetectionRule, finding: SequenceFinding, context: DetectionContext, options: SequenceAlertOptions = {}): AlertDocument {
  const groupId = alertUuid(rule.ruleId, `sequence\u0000${sequenceIdentity(finding.sequence)}`);
  const steps = finding.sequence.steps.flatMap((step, stage) => (step ? [{ step, stage }] : []));
  const buildingBlocks = steps.map(({ step }, index) =>
    withKibanaAlert(buildAlert(rule, expandSummary(step.summary), context), (kibanaAlert) => ({
      ...kibanaAlert,
      uuid: alertUuid(rule.ruleId, `${step.id}\u0000${groupId}`),
      building_block_type: 'default',
      group: { id: groupId, index },
    })),
  );
  const shared = sharedFields(
    buildingBlocks.map(({ kibana: _kibana, '@timestamp': _raised, ...ecs }) => ecs),
    steps.map(({ step }) => step),
  );
  const first = steps[0]?.step;
  const keyFields = finding.key.map((part) => part.field);
  const keyValues = finding.key.map((part) => (part.value === null ? 'null' : String(part.value)));
  const sequence = {
    key: finding.key.map(({ field, value }) => ({ field, value })),
    ...(options.maxspan ? { maxspan: options.maxspan } : {}),
    steps: steps.map(({ step, stage }) => ({
      stage: stage + 1,
      event_id: step.id,
      time: new Date(step.time).toISOString(),
      action: actionOf(step.summary),
    })),
  };
  return withKibanaAlert(buildAlert(rule, shared as EcsDocument, context), (kibanaAlert) => ({
    ...kibanaAlert,
    uuid: groupId,
    original_time: first ? new Date(first.time).toISOString() : kibanaAlert.original_time,
    reason: `${capitalize(sequenceSentence(keyFields, keyValues, steps.map(({ step }) => step), options.maxspanMs))}.`,
    group: { id: groupId },
    ancestors: steps.map(({ step }) => ({ id: step.id, type: 'event', depth: 0 })),
    sequence,
    building_blocks: buildingBlocks,
  }));
}

/** Fields every event has of its own: no two steps share them, whatever a step's summary kept. */
const PER_EVENT_FIELDS = ['event.id', 'event.ingested', 'event.created', 'event.start', 'event.end'];

/**
 * What the steps share (Elastic's intersection). A step known by its action alone (sequence.ts) cannot vouch for the
 * fields it no longer holds (the caller, the account), so they are taken from the steps known in full; but it still
 * removes what it contradicts (another action) and what no two events share (ids, times).
 */
function sharedFields(blocks: readonly Record<string, unknown>[], steps: readonly SequenceStep[]): Record<string, unknown> {
  const known = blocks.filter((_block, index) => !steps[index]?.partial);
  const intersection = objectArrayIntersection(known) ?? {};
  if (known.length === blocks.length || blocks.length < 2) return intersection;
  // One known step's intersection is that step's own objects: edit a copy, never the building block.
  const shared = structuredClone(intersection);
  blocks.forEach((block, index) => {
    if (steps[index]?.partial) dropContradicted(shared, block);
  });
  for (const field of PER_EVENT_FIELDS) deletePath(shared, field.split('.'));
  return shared;
}

/** Removes from `shared` (in place) every leaf `partial` holds with another value. */
function dropContradicted(shared: Record<string, unknown>, partial: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(partial)) {
    if (!Object.prototype.hasOwnProperty.call(shared, key)) continue;
    const mine = shared[key];
    if (isPlainObject(mine) && isPlainObject(value)) {
      dropContradicted(mine, value);
      if (Object.keys(mine).length === 0) delete shared[key];
    } else if (JSON.stringify(mine) !== JSON.stringify(value)) delete shared[key];
  }
}

function deletePath(object: Record<string, unknown>, path: readonly string[]): void {
  const [head, ...rest] = path;
  if (head === undefined || !Object.prototype.hasOwnProperty.call(object, head)) return;
  const child = object[head];
  if (rest.length === 0) delete object[head];
  else if (isPlainObject(child)) {
    deletePath(child, rest);
    if (Object.keys(child).length === 0) delete object[head];
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `access key AKIA… called bedrock:ListFoundationModels, then bedrock:InvokeModel 3 minutes 12 seconds later (within 15 minutes)` */
export function sequenceSentence(keyFields: readonly string[], keyValues: readonly string[], steps: readonly SequenceStep[], maxspanMs?: number): string {
  const [first, ...rest] = steps;
  if (!first) return 'a sequence completed';
  const who = keyFields.length > 0 ? describeTerms(keyFields, keyValues) : 'the same caller';
  const then = rest.map((step) => `, then ${actionOf(step.summary)} ${describeGap(step.time - first.time)} later`).join('');
  const within = maxspanMs === undefined ? '' : ` (the rule allows ${describeDuration(maxspanMs)})`;
  return `${who} called ${actionOf(first.summary)}${then}${within}`;
}

/** `bedrock:InvokeModel`. */
function actionOf(summary: EventSummary): string {
  const text = (value: string | readonly string[] | undefined) => (Array.isArray(value) ? value[0] : (value as string | undefined));
  const provider = text(summary['event.provider'])?.replace(/\.amazonaws\.com$/, '');
  const action = text(summary['event.action']);
  return [provider, action].filter(Boolean).join(':') || 'an API';
}

/** `0 seconds`, `12 seconds`, `3 minutes 12 seconds`, `1 hour 2 minutes`, `250 ms`. */
export function describeGap(ms: number): string {
  if (ms < 1000 && ms > 0) return `${ms} ms`;
  const seconds = Math.round(ms / 1000);
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), 'day'],
    [Math.floor((seconds % 86_400) / 3600), 'hour'],
    [Math.floor((seconds % 3600) / 60), 'minute'],
    [seconds % 60, 'second'],
  ];
  const named = parts.filter(([count]) => count > 0).slice(0, 2);
  if (named.length === 0) return '0 seconds';
  return named.map(([count, unit]) => `${count} ${unit}${count === 1 ? '' : 's'}`).join(' ');
}

/** `{"event.action": "X"}` → `{ event: { action: "X" } }`: a building block is an alert document like any other. */
function expandSummary(summary: EventSummary): EcsDocument {
  const document: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(summary)) {
    const path = field.split('.');
    let parent = document;
    for (const part of path.slice(0, -1)) {
      const next = parent[part];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) parent[part] = {};
      parent = parent[part] as Record<string, unknown>;
    }
    parent[path[path.length - 1] as string] = Array.isArray(value) ? [...value] : value;
  }
  return document as EcsDocument;
}

/** Kibana's objectArrayIntersection: the fields every object has with the same value (arrays: common items). */
export function objectArrayIntersection(objects: readonly Record<string, unknown>[]): Record<string, unknown> | undefined {
  const [first, ...rest] = objects;
  return rest.reduce<Record<string, unknown> | undefined>((merged, object) => objectPairIntersection(merged, object), first);
}

function objectPairIntersection(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (a === undefined || b === undefined) return undefined;
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  const intersection: Record<string, unknown> = {};
  for (const [key, aValue] of Object.entries(a)) {
    if (!Object.prototype.hasOwnProperty.call(b, key)) continue;
    const bValue = b[key];
    let value: unknown;
    if (isObject(aValue) && isObject(bValue)) value = objectPairIntersection(aValue, bValue);
    else if (aValue === bValue) value = aValue;
    else if (Array.isArray(aValue) || Array.isArray(bValue)) {
      const bItems = Array.isArray(bValue) ? bValue : [bValue];
      value = (Array.isArray(aValue) ? aValue : [aValue]).filter((item) => bItems.includes(item));
    }
    if (value !== undefined) intersection[key] = value;
  }
  return Object.keys(intersection).length === 0 ? undefined : intersection;
}

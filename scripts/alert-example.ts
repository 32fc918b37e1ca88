/**
 * The alert docs/alert.md shows, made by the code rather than copied by hand: the Aurora cluster export of the
 * sample trail (samples/source/eventbridge-events.json), raised 7 seconds after the call. A test checks that the
 * document shows exactly this; `node bin/run-ts.js scripts/alert-example.ts` prints the blocks to paste after a change.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildAlertNotification } from '../src/engine/alerts';
import { buildAlert } from '../src/engine/alerts/build-alert';
import { normalizeCloudTrail } from '../src/engine/ecs';
import { unwrapEventBridgeEvent } from '../src/engine/input/eventbridge-envelope';
import { compileRules, loadRuleDirectory } from '../src/engine/rules';

const ROOT = join(__dirname, '..');
const CLUSTER_EXPORT_EVENT_ID = '0b6e4c2a-8f1d-4a3b-9c5e-1f7a9b3d5c16';

export interface AlertExample {
  readonly subject: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly email: string;
  /** The alert JSON (`default`), its long text fields shortened for reading. */
  readonly json: string;
}

/** Long text fields of the alert JSON, shortened on the page (the alert itself keeps them whole). */
const SHORTENED = ['event.original', 'kibana.alert.rule.note', 'kibana.alert.rule.false_positives'];

export function alertExample(): AlertExample {
  const events = JSON.parse(readFileSync(join(ROOT, 'samples', 'source', 'eventbridge-events.json'), 'utf8')) as Array<{ id: string }>;
  const event = events.find((candidate) => candidate.id === CLUSTER_EXPORT_EVENT_ID);
  if (!event) throw new Error(`no event ${CLUSTER_EXPORT_EVENT_ID} in the sample EventBridge events`);
  const { record, envelope } = unwrapEventBridgeEvent(event);
  // The packaged rule is a query rule: its alert is built as the detector builds it, without waiting on a state.
  const [rule] = compileRules(loadRuleDirectory(join(ROOT, 'rules')));
  const context = { receivedAt: new Date('2026-11-20T03:30:21.000Z'), envelope };
  const document = normalizeCloudTrail(record, context);
  if (rule === undefined || !rule.matches(document)) throw new Error(`the packaged rule does not match event ${CLUSTER_EXPORT_EVENT_ID}`);
  const notification = buildAlertNotification(buildAlert(rule.rule, document, context), rule.rule);
  const message = JSON.parse(notification.message) as { default: string; email: string };
  return { subject: notification.subject, attributes: notification.attributes, email: message.email, json: JSON.stringify(shortened(JSON.parse(message.default)), null, 2) };
}

function shortened(value: unknown, path = ''): unknown {
  const cut = (text: string): string => (text.length > 64 ? `${text.slice(0, 60)}…` : text);
  if (SHORTENED.includes(path)) return Array.isArray(value) ? value.map((item) => cut(String(item))) : cut(String(value));
  if (Array.isArray(value)) return value.map((item) => shortened(item, path));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, shortened(item, path ? `${path}.${key}` : key)]));
  }
  return value;
}

/** The Markdown docs/alert.md holds between its `alert-json` markers. */
export function alertJsonMarkdown(example: AlertExample = alertExample()): string {
  return ['```json', example.json, '```'].join('\n');
}

/** The Markdown docs/alert.md holds between its `alert-example` markers. */
export function alertExampleMarkdown(example: AlertExample = alertExample()): string {
  return [
    `Subject: \`${example.subject}\``,
    '',
    `Message attributes: \`${JSON.stringify(example.attributes)}\``,
    '',
    '```text',
    example.email,
    '```',
  ].join('\n');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === __filename) {
  const example = alertExample();
  process.stdout.write(`${alertExampleMarkdown(example)}\n\n${alertJsonMarkdown(example)}\n`);
}

import type { Enrichment } from '../enrichment/enrichment';
import { categorize, eventOutcome } from './categorization';
import {
  mapCloud,
  mapConsoleLogin,
  mapEventMetadata,
  mapSource,
  mapSourceEnrichment,
  mapTargetsFromPayloads,
  METADATA_FIELDS,
  serviceNameOf,
} from './cloudtrail-fields';
import { mapDigest } from './digest';
import { DocumentBuilder } from './document-builder';
import { EcsDocument } from './ecs-document';
import { mapEntities } from './entities';
import { InvalidCloudTrailRecordError } from './errors';
import { parseIso8601 } from './iso8601-date';
import { asKeyword, isJsonObject, JsonObject, path } from './json-values';
import { removeEmptyValuesFromRecord } from './null-removal';
import { mapInsightDetails, mapPayload, PAYLOAD_FIELDS, PAYLOAD_MEMBERS } from './payloads';
import { relatedHosts, relatedIps, relatedUsers } from './related-fields';
import { mapTlsDetails } from './tls';
import { type CallerSummary, deriveEmailFromUserName, mapUserIdentity } from './user-identity';

export const ECS_VERSION = '8.11.0';
export const CLOUDTRAIL_DATASET = 'aws.cloudtrail';

export interface NormalizeOptions {
  /** When the record reached us: `event.created`, `event.ingested`, and the last-resort `@timestamp`. */
  receivedAt: Date;
  /** The record's raw text for `event.original`; JSON.stringify(record) otherwise. */
  original?: string;
  /** EventBridge envelope fields, used where the record itself lacks the value. */
  envelope?: { account?: string; region?: string; id?: string; time?: string };
  /** GeoIP/ASN lookups and user-agent parsing (`source.geo`, `source.as`, `user_agent.*`); none when absent. */
  enrichment?: Enrichment;
}

function describeNonObject(record: unknown): string {
  if (record === null) return 'null';
  return Array.isArray(record) ? 'an array' : `a ${typeof record}`;
}

function isoTimestamp(date: Date): string {
  return date instanceof Date && !Number.isNaN(date.getTime()) ? date.toISOString() : new Date().toISOString();
}

function originalText(record: JsonObject, original: string | undefined): string | undefined {
  if (typeof original === 'string') return original;
  try {
    return JSON.stringify(record);
  } catch {
    return undefined;
  }
}

/**
 * The `date` step on eventTime runs before null removal: an empty value is skipped, an unparseable
 * one is recorded as a pipeline error (and the fallback time stays).
 */
function eventTimestamp(eventTime: unknown, errors: string[]): string | undefined {
  if (eventTime === undefined || eventTime === null || eventTime === '') return undefined;
  const text = asKeyword(eventTime);
  const parsed = text === undefined ? undefined : parseIso8601(text);
  if (parsed === undefined) errors.push(`unable to parse date [${text ?? typeof eventTime}] in field [eventTime]`);
  return parsed;
}

function envelopeTimestamp(time: unknown): string | undefined {
  return typeof time === 'string' ? parseIso8601(time) : undefined;
}

function mapCategorization(json: JsonObject, doc: DocumentBuilder): void {
  const eventName = asKeyword(json.eventName);
  const categorization = categorize(eventName);
  doc.set('event.kind', 'event');
  doc.set('event.category', categorization?.category.slice());
  doc.set('event.type', categorization ? categorization.type.slice() : ['info']);
  const hasError = doc.has('aws.cloudtrail.error_code') || doc.has('aws.cloudtrail.error_message');
  doc.set('event.outcome', eventOutcome(hasError, eventName, asKeyword(path(json, 'responseElements', 'ConsoleLogin'))));
}

function mapRelated(json: JsonObject, doc: DocumentBuilder, caller: CallerSummary): void {
  doc.set('related.user', relatedUsers(json, doc, caller));
  doc.set('related.ip', relatedIps(json, doc));
  doc.set('related.hosts', relatedHosts(json, doc));
}

/** What the steps share while normalizing one record. */
interface StepContext {
  readonly record: JsonObject;
  readonly options: NormalizeOptions;
  readonly envelope: NonNullable<NormalizeOptions['envelope']>;
  readonly doc: DocumentBuilder;
  readonly errors: string[];
  /** `event.created`, `event.ingested` and the last-resort `@timestamp`, computed once (and only when used). */
  readonly receivedAt: () => string;
  /** The record after the pipeline's first null-removal pass. */
  json: JsonObject;
  caller: CallerSummary;
}

/**
 * One step of the pipeline: the ECS fields it writes (dotted paths; it writes nothing else), the fields written by
 * earlier steps that it reads, and the steps whose private results it uses. Steps run in this order; the document of
 * all of them is the full normalization.
 */
export interface NormalizationStep {
  readonly name: string;
  readonly writes: readonly string[];
  readonly readsFields?: readonly string[];
  readonly after?: readonly string[];
  run(context: StepContext): void;
}

export const NORMALIZATION_STEPS: readonly NormalizationStep[] = [
  {
    name: 'original',
    writes: ['event.original'],
    run({ record, options, doc }) {
      const original = originalText(record, options.original);
      if (original !== '-' && original !== 'none') doc.set('event.original', original);
    },
  },
  {
    name: 'constants',
    writes: ['event.created', 'event.ingested', 'ecs.version'],
    run({ receivedAt, doc }) {
      doc.set('event.created', receivedAt());
      doc.set('event.ingested', receivedAt());
      doc.set('ecs.version', ECS_VERSION);
    },
  },
  {
    name: 'timestamp',
    writes: ['@timestamp'],
    run({ record, receivedAt, envelope, doc, errors }) {
      doc.set('@timestamp', eventTimestamp(record.eventTime, errors) ?? envelopeTimestamp(envelope.time) ?? receivedAt());
    },
  },
  {
    name: 'dataset',
    writes: ['event.dataset', 'data_stream.dataset', 'data_stream.type', 'data_stream.namespace'],
    run({ doc }) {
      doc.set('event.dataset', CLOUDTRAIL_DATASET);
      doc.set('data_stream.dataset', CLOUDTRAIL_DATASET);
      doc.set('data_stream.type', 'logs');
      doc.set('data_stream.namespace', 'default');
    },
  },
  {
    name: 'entities',
    writes: [
      'actor.entity.id', 'service.entity.id', 'user.entity.id', 'host.entity.id', 'entity.id', 'target.entity.id',
      'user.target.entity.id', 'host.target.entity.id', 'host.target.id', 'service.target.entity.id', 'entity.target.id',
      'related.entity',
    ],
    run({ json, doc }) {
      mapEntities(json, serviceNameOf(asKeyword(json.eventSource)), doc);
    },
  },
  {
    name: 'metadata',
    writes: ['cloud.service.name', 'event.provider', 'event.action', 'event.id', ...METADATA_FIELDS],
    run({ json, envelope, doc }) {
      mapEventMetadata(json, doc, asKeyword(envelope.id));
    },
  },
  {
    name: 'cloud',
    writes: ['cloud.provider', 'cloud.region', 'cloud.account.id'],
    run({ json, envelope, doc }) {
      mapCloud(json, doc, { account: asKeyword(envelope.account), region: asKeyword(envelope.region) });
    },
  },
  { name: 'source', writes: ['source.address', 'source.ip', 'user_agent.original'], run: ({ json, doc }) => mapSource(json, doc) },
  {
    name: 'source enrichment',
    writes: ['source.geo', 'source.as', 'user_agent.name', 'user_agent.version', 'user_agent.os', 'user_agent.device'],
    run: ({ json, doc, options }) => mapSourceEnrichment(json, doc, options.enrichment),
  },
  // One step per payload, in the pipeline's order: a rule reading one payload does not pay for the others.
  ...PAYLOAD_FIELDS.map(
    ([member, field]): NormalizationStep => ({
      name: `payload ${member}`,
      writes: [`aws.cloudtrail.${field}`, `aws.cloudtrail.flattened.${field}`],
      run: ({ json, doc }) => mapPayload(json, doc, member, field),
    }),
  ),
  { name: 'insight details', writes: ['aws.cloudtrail.flattened.insight_details'], run: ({ json, doc }) => mapInsightDetails(json, doc) },
  {
    name: 'tls',
    writes: ['tls.version_protocol', 'tls.version', 'tls.cipher', 'tls.client.server_name', 'aws.cloudtrail.tls_details.key_exchange'],
    run: ({ json, doc }) => mapTlsDetails(json, doc),
  },
  {
    name: 'targets',
    writes: ['group.id', 'group.name', 'user.target.id', 'user.target.name', 'user.changes.name'],
    run: ({ json, doc }) => mapTargetsFromPayloads(json, doc),
  },
  { name: 'console login', writes: ['aws.cloudtrail.console_login'], run: ({ json, doc }) => mapConsoleLogin(json, doc) },
  {
    name: 'user identity',
    writes: ['aws.cloudtrail.user_identity', 'service.name', 'user.name', 'user.id', 'user.email'],
    run(context) {
      context.caller = mapUserIdentity(context.json, context.doc);
    },
  },
  {
    name: 'categorization',
    writes: ['event.kind', 'event.category', 'event.type', 'event.outcome'],
    readsFields: ['aws.cloudtrail.error_code', 'aws.cloudtrail.error_message'],
    run: ({ json, doc }) => mapCategorization(json, doc),
  },
  { name: 'digest', writes: ['aws.cloudtrail.flattened.digest', 'file.path', 'related.hash', '@timestamp'], run: ({ json, doc }) => mapDigest(json, doc) },
  {
    name: 'related',
    writes: ['related.user', 'related.ip', 'related.hosts'],
    readsFields: ['tls.client.server_name', 'source.address', 'source.ip', 'user.id', 'user.name', 'user.changes.name', 'aws.cloudtrail.user_identity.on_behalf_of.user_id'],
    after: ['user identity'],
    run: ({ json, doc, caller }) => mapRelated(json, doc, caller),
  },
  { name: 'email', writes: ['user.email'], readsFields: ['user.email', 'user.name'], run: ({ doc }) => deriveEmailFromUserName(doc) },
  {
    name: 'pipeline errors',
    writes: ['error.message', 'event.kind'],
    after: ['timestamp'],
    run({ doc, errors }) {
      if (errors.length === 0) return;
      doc.set('error.message', errors);
      doc.set('event.kind', 'pipeline_error');
    },
  },
];

/**
 * Normalizes one CloudTrail record (API/service/Insight event or digest file) into the ECS document
 * Elastic's `aws.cloudtrail` ingest pipeline (aws 8.9.0) produces, with actor/target entities on.
 * Never throws for a JSON object, whatever its member types; see docs/ecs-conformance.md for the differences.
 */
export function normalizeCloudTrail(record: unknown, options: NormalizeOptions): EcsDocument {
  return runSteps(record, options, NORMALIZATION_STEPS);
}

/**
 * The steps of the pipeline that `fields` (dotted paths, an object's path standing for everything under it) depend
 * on: those writing one of them, and what those steps read in turn. The document they build agrees with the full
 * normalization on every one of `fields` and may lack anything else.
 */
export function stepsFor(fields: readonly string[]): readonly NormalizationStep[] {
  const needed = new Set<NormalizationStep>();
  const wanted = [...fields];
  const add = (step: NormalizationStep): void => {
    if (needed.has(step)) return;
    needed.add(step);
    wanted.push(...(step.readsFields ?? []));
    for (const name of step.after ?? []) {
      const earlier = NORMALIZATION_STEPS.find((other) => other.name === name);
      if (earlier !== undefined) add(earlier);
    }
  };
  for (let next = wanted.shift(); next !== undefined; next = wanted.shift()) {
    const field = next;
    for (const step of NORMALIZATION_STEPS) if (step.writes.some((written) => overlaps(field, written))) add(step);
  }
  return NORMALIZATION_STEPS.filter((step) => needed.has(step));
}

/** Whether one dotted path is the other or lies inside it. */
function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

/** The document of `steps` only (in pipeline order): the full normalization restricted to what they write. */
export function runSteps(record: unknown, options: NormalizeOptions, steps: readonly NormalizationStep[]): EcsDocument {
  if (!isJsonObject(record)) {
    throw new InvalidCloudTrailRecordError(`A CloudTrail record must be a JSON object, got ${describeNonObject(record)}`);
  }
  let receivedAt: string | undefined;
  const context: StepContext = {
    record,
    options,
    envelope: isJsonObject(options.envelope) ? options.envelope : {},
    doc: new DocumentBuilder(),
    errors: [],
    receivedAt: () => (receivedAt ??= isoTimestamp(options.receivedAt)),
    json: EMPTY,
    caller: { isServiceActor: false },
  };
  let cleaned = false;
  for (const step of steps) {
    if (!cleaned && !STEPS_ON_RAW_RECORD.has(step.name)) {
      context.json = removeEmptyValuesFromRecord(record, PAYLOAD_MEMBERS);
      cleaned = true;
    }
    step.run(context);
  }
  return context.doc.document;
}

/** The first steps read the raw record (before null removal); the others its cleaned copy. */
const STEPS_ON_RAW_RECORD = new Set(['original', 'constants', 'timestamp', 'dataset']);
const EMPTY: JsonObject = {};

import type { Enrichment } from '../enrichment/enrichment';
import { categorize, eventOutcome } from './categorization';
import {
  mapCloud,
  mapConsoleLogin,
  mapEventMetadata,
  mapSource,
  mapTargetsFromPayloads,
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
import { mapPayloads, PAYLOAD_MEMBERS } from './payloads';
import { relatedHosts, relatedIps, relatedUsers } from './related-fields';
import { mapTlsDetails } from './tls';
import { deriveEmailFromUserName, mapUserIdentity } from './user-identity';

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

function mapRelated(json: JsonObject, doc: DocumentBuilder, caller: ReturnType<typeof mapUserIdentity>): void {
  doc.set('related.user', relatedUsers(json, doc, caller));
  doc.set('related.ip', relatedIps(json, doc));
  doc.set('related.hosts', relatedHosts(json, doc));
}

/**
 * Normalizes one CloudTrail record (API/service/Insight event or digest file) into the ECS document
 * Elastic's `aws.cloudtrail` ingest pipeline (aws 8.9.0) produces, with actor/target entities on.
 * Never throws for a JSON object, whatever its member types; see docs/ecs-conformance.md for the differences.
 */
export function normalizeCloudTrail(record: unknown, options: NormalizeOptions): EcsDocument {
  if (!isJsonObject(record)) {
    throw new InvalidCloudTrailRecordError(`A CloudTrail record must be a JSON object, got ${describeNonObject(record)}`);
  }
  const envelope = isJsonObject(options.envelope) ? options.envelope : {};
  const receivedAt = isoTimestamp(options.receivedAt);
  const doc = new DocumentBuilder();
  const errors: string[] = [];

  const original = originalText(record, options.original);
  if (original !== '-' && original !== 'none') doc.set('event.original', original);
  doc.set('event.created', receivedAt);
  doc.set('event.ingested', receivedAt);
  doc.set('ecs.version', ECS_VERSION);
  doc.set('@timestamp', eventTimestamp(record.eventTime, errors) ?? envelopeTimestamp(envelope.time) ?? receivedAt);
  doc.set('event.dataset', CLOUDTRAIL_DATASET);
  doc.set('data_stream.dataset', CLOUDTRAIL_DATASET);
  doc.set('data_stream.type', 'logs');
  doc.set('data_stream.namespace', 'default');

  const json = removeEmptyValuesFromRecord(record, PAYLOAD_MEMBERS);
  const serviceName = serviceNameOf(asKeyword(json.eventSource));
  mapEntities(json, serviceName, doc);

  mapEventMetadata(json, doc, asKeyword(envelope.id));
  mapCloud(json, doc, { account: asKeyword(envelope.account), region: asKeyword(envelope.region) });
  mapSource(json, doc, options.enrichment);
  mapPayloads(json, doc);
  mapTlsDetails(json, doc);
  mapTargetsFromPayloads(json, doc);
  mapConsoleLogin(json, doc);
  const caller = mapUserIdentity(json, doc);
  mapCategorization(json, doc);
  mapDigest(json, doc);
  mapRelated(json, doc, caller);
  deriveEmailFromUserName(doc);

  if (errors.length > 0) {
    doc.set('error.message', errors);
    doc.set('event.kind', 'pipeline_error');
  }
  return doc.document;
}

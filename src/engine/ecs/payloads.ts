import { DocumentBuilder } from './document-builder';
import { toJavaString } from './java-map-string';
import { isJsonObject, JsonObject } from './json-values';

/** Lucene's keyword term limit: longer payload strings keep no flattened copy. */
export const FLATTENED_MAX_STRING_LENGTH = 32766;

/** CloudTrail payload member → its `aws.cloudtrail.*` keyword string name (also its `flattened.*` name). */
export const PAYLOAD_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ['requestParameters', 'request_parameters'],
  ['responseElements', 'response_elements'],
  ['additionalEventData', 'additional_eventdata'],
  ['serviceEventDetails', 'service_event_details'],
];

export const PAYLOAD_MEMBERS: ReadonlySet<string> = new Set(PAYLOAD_FIELDS.map(([member]) => member));

/**
 * Each payload becomes a Java `toString()` keyword string plus, when that string is short enough,
 * the object itself under `aws.cloudtrail.flattened`. The cleaned record is a private copy, so the
 * flattened object is shared rather than copied again.
 */
export function mapPayload(json: JsonObject, doc: DocumentBuilder, memberName: string, fieldName: string): void {
  const payload = json[memberName];
  if (payload === undefined) return;
  const keyword = toJavaString(payload);
  doc.set(`aws.cloudtrail.${fieldName}`, keyword);
  // Only objects have a flattened form; a scalar payload keeps just its string.
  if (isJsonObject(payload) && keyword.length < FLATTENED_MAX_STRING_LENGTH) {
    doc.set(`aws.cloudtrail.flattened.${fieldName}`, payload);
  }
}

export function mapInsightDetails(json: JsonObject, doc: DocumentBuilder): void {
  const insightDetails = json.insightDetails;
  if (isJsonObject(insightDetails)) doc.set('aws.cloudtrail.flattened.insight_details', insightDetails);
}

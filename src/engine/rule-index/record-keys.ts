import { asKeyword } from '../ecs/json-values';
import { removeEmptyValues } from '../ecs/null-removal';

/**
 * The `event.provider` / `event.action` the normalizer will write for a raw CloudTrail record, computed with the
 * normalizer's own steps (null removal drops "", "-", "none"; scalars become keyword text; objects and arrays
 * have no keyword form) so the index looks up exactly the values the rules will see. Undefined: field absent.
 */
export function providerOf(record: Record<string, unknown>): string | undefined {
  return keywordMember(record, 'eventSource');
}

export function actionOf(record: Record<string, unknown>): string | undefined {
  return keywordMember(record, 'eventName');
}

function keywordMember(record: Record<string, unknown>, key: string): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(record, key)) return undefined;
  const value = record[key];
  // Containers never yield a keyword; skipping them avoids null removal's deep copy.
  if (typeof value === 'object' && value !== null) return undefined;
  return asKeyword(removeEmptyValues(value));
}

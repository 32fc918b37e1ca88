import type { SuppressionTerm, SuppressionWindow } from '../exceptions/suppression';
import type { AlertDocument } from './alert-types';
import { getPath, getText } from './field-access';

/**
 * Adds Elastic's `kibana.alert.suppression.*` fields to an alert that opens a suppression window:
 * - `terms`: the group_by fields and values (`[{ field, value }]`);
 * - `start` / `end`: the window this alert opens; later matches with the same terms before `end` are suppressed;
 * - `docs_count`: matches suppressed in the previous window of the same terms. Elastic updates the opening alert in
 *   place as it suppresses; a published notification cannot be updated, so the count is reported by the next alert;
 * - `suppressed_since`: when that previous window started (only when `docs_count > 0`).
 */
export function withSuppressionFields(
  alert: AlertDocument,
  terms: readonly SuppressionTerm[],
  window: SuppressionWindow,
  suppressedSinceLastAlert: number,
  previousWindow: SuppressionWindow | undefined,
): AlertDocument {
  const kibana = (typeof alert.kibana === 'object' && alert.kibana !== null ? alert.kibana : {}) as Record<string, unknown>;
  const kibanaAlert = (typeof kibana.alert === 'object' && kibana.alert !== null ? kibana.alert : {}) as Record<string, unknown>;
  return {
    ...alert,
    kibana: {
      ...kibana,
      alert: {
        ...kibanaAlert,
        suppression: {
          terms: terms.map((term) => ({ field: term.field, value: term.value })),
          start: window.start,
          end: window.end,
          docs_count: suppressedSinceLastAlert,
          ...(suppressedSinceLastAlert > 0 && previousWindow ? { suppressed_since: previousWindow.start } : {}),
        },
      },
    },
  };
}

/** `2 more matches were suppressed since 2026-11-20T03:24:12.000Z`, or undefined when the alert reports none. */
export function suppressionNote(alert: AlertDocument): string | undefined {
  const count = getPath(alert, 'kibana.alert.suppression.docs_count');
  if (typeof count !== 'number' || !(count > 0)) return undefined;
  const since = getText(alert, 'kibana.alert.suppression.suppressed_since') ?? 'the previous alert';
  return `${count} more ${count === 1 ? 'match was' : 'matches were'} suppressed since ${since}`;
}

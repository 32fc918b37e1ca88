import { isExpired } from './match-exception';
import type { ResolvedRuleExceptions } from './resolve-rule-exceptions';
import type { ExceptionEntry, NestedSubEntry } from './types';

export interface ExceptionReportRow {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly listId: string;
  readonly itemId: string;
  readonly itemName: string;
  /** e.g. `user.name is "nightly-backup" AND aws.cloudtrail.flattened.request_parameters.s3BucketName matches "backup-*"` */
  readonly conditions: string;
  readonly owner: string;
  readonly reason: string;
  /** ISO 8601, or null when the item never expires. */
  readonly expireTime: string | null;
  /** Whole days until expiry, rounded down (negative once expired); null when it never expires. */
  readonly daysLeft: number | null;
  readonly neverExpires: boolean;
  readonly expired: boolean;
}

const DAY_MS = 86_400_000;

/** One row per (rule, item): what each rule ignores, who answers for it, why, and until when. */
export function describeExceptions(resolved: readonly ResolvedRuleExceptions[], now: Date): ExceptionReportRow[] {
  return resolved.flatMap((rule) =>
    rule.lists.flatMap(({ list }) =>
      list.items.map((item): ExceptionReportRow => ({
        ruleId: rule.ruleId,
        ruleName: rule.ruleName,
        listId: list.listId,
        itemId: item.itemId,
        itemName: item.name,
        conditions: describeConditions(item.entries),
        owner: item.owner,
        reason: item.reason,
        expireTime: item.expireTime ?? null,
        daysLeft: item.expireAt === undefined ? null : Math.floor((item.expireAt - now.getTime()) / DAY_MS),
        neverExpires: item.neverExpires,
        expired: isExpired(item, now),
      })),
    ),
  );
}

/** The entries of an item in words, ANDed. */
export function describeConditions(entries: readonly ExceptionEntry[]): string {
  return entries.map(describeEntry).join(' AND ');
}

function describeEntry(entry: ExceptionEntry | NestedSubEntry): string {
  const not = 'operator' in entry && entry.operator === 'excluded';
  switch (entry.type) {
    case 'match':
      return `${entry.field} ${not ? 'is not' : 'is'} ${JSON.stringify(entry.value)}`;
    case 'match_any':
      return `${entry.field} ${not ? 'is not one of' : 'is one of'} ${entry.value.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'exists':
      return `${entry.field} ${not ? 'does not exist' : 'exists'}`;
    case 'wildcard':
      return `${entry.field} ${not ? 'does not match' : 'matches'} ${JSON.stringify(entry.value)}`;
    case 'nested':
      return `${entry.field} has an element where (${entry.entries.map(describeEntry).join(' AND ')})`;
  }
}

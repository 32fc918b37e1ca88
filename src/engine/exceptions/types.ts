/**
 * Exception lists and items as Kibana exports them (`POST /api/exception_lists/_export`, NDJSON), validated and
 * converted to camelCase. Everything here is plain JSON data, so a parsed list can be packaged for the Lambda as is.
 */

export const EXCEPTION_OPERATORS = ['included', 'excluded'] as const;
export type ExceptionOperator = (typeof EXCEPTION_OPERATORS)[number];

export const NAMESPACE_TYPES = ['single', 'agnostic'] as const;
export type NamespaceType = (typeof NAMESPACE_TYPES)[number];

/** List types of Kibana's exception list schema. */
export const EXCEPTION_LIST_TYPES = [
  'detection',
  'rule_default',
  'endpoint',
  'endpoint_trusted_apps',
  'endpoint_trusted_devices',
  'endpoint_events',
  'endpoint_host_isolation_exceptions',
  'endpoint_blocklists',
] as const;

/** Where something came from: the export file and its 1-based line. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

export interface MatchEntry {
  readonly type: 'match';
  readonly field: string;
  readonly operator: ExceptionOperator;
  readonly value: string;
}

export interface MatchAnyEntry {
  readonly type: 'match_any';
  readonly field: string;
  readonly operator: ExceptionOperator;
  readonly value: readonly string[];
}

export interface ExistsEntry {
  readonly type: 'exists';
  readonly field: string;
  readonly operator: ExceptionOperator;
}

export interface WildcardEntry {
  readonly type: 'wildcard';
  readonly field: string;
  readonly operator: ExceptionOperator;
  readonly value: string;
}

/** Entries allowed inside a `nested` entry (Kibana's schema: match, match_any, exists). */
export type NestedSubEntry = MatchEntry | MatchAnyEntry | ExistsEntry;

export interface NestedEntry {
  readonly type: 'nested';
  /** Path of the array of objects; sub-entry fields are relative to one of its objects. */
  readonly field: string;
  readonly entries: readonly NestedSubEntry[];
}

export type ExceptionEntry = MatchEntry | MatchAnyEntry | ExistsEntry | WildcardEntry | NestedEntry;

export interface ExceptionComment {
  readonly comment: string;
  readonly createdBy?: string;
  readonly createdAt?: string;
}

export interface ExceptionItem {
  readonly itemId: string;
  readonly listId: string;
  readonly name: string;
  readonly description: string;
  readonly namespaceType: NamespaceType;
  /** ANDed: the item applies when every entry holds. */
  readonly entries: readonly ExceptionEntry[];
  readonly comments: readonly ExceptionComment[];
  readonly tags: readonly string[];
  readonly osTypes: readonly string[];
  readonly createdBy?: string;
  /** Who answers for the exception: the `owner:<name>` tag, else `created_by`. */
  readonly owner: string;
  /** Why it exists: the non-empty comments, oldest first, joined with blank lines. */
  readonly reason: string;
  /** `expire_time` as written (ISO 8601); absent only when parsing allowed it. */
  readonly expireTime?: string;
  /** `expire_time` in epoch milliseconds. */
  readonly expireAt?: number;
  /** True when the item has no `expire_time` (only possible with `allowNoExpiry`); the report flags it. */
  readonly neverExpires: boolean;
  readonly source: SourceLocation;
}

export interface ExceptionList {
  readonly listId: string;
  /** Kibana's saved-object id, when exported. */
  readonly id?: string;
  readonly name: string;
  readonly description: string;
  readonly type: string;
  readonly namespaceType: NamespaceType;
  readonly tags: readonly string[];
  /** ORed: a document is excepted when any (unexpired) item matches. */
  readonly items: readonly ExceptionItem[];
  readonly source: SourceLocation;
}

import { ExceptionFileError, type ExceptionProblem } from './errors';
import {
  EXCEPTION_LIST_TYPES,
  EXCEPTION_OPERATORS,
  NAMESPACE_TYPES,
  type ExceptionComment,
  type ExceptionEntry,
  type ExceptionItem,
  type ExceptionList,
  type ExceptionOperator,
  type NamespaceType,
  type NestedSubEntry,
} from './types';

export interface ParseExceptionOptions {
  /**
   * Accept items without `expire_time`. They are kept with `neverExpires: true` so the report shows them;
   * without this option such an item is an error, because a permanent exception is how a detector goes blind.
   */
  readonly allowNoExpiry?: boolean;
}

type Json = Record<string, unknown>;
type Report = (field: string, problem: string) => void;

const ENTRY_TYPES = ['match', 'match_any', 'exists', 'wildcard', 'nested', 'list'] as const;
const NESTED_ENTRY_TYPES = ['match', 'match_any', 'exists'] as const;
const OWNER_TAG = /^owner:(.*)$/;
/** Kibana writes `expire_time` as an ISO 8601 date-time; a bare date would be ambiguous about the time zone. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const SUMMARY_KEY = 'exported_exception_list_count';

/**
 * Parses one exception export in Kibana's NDJSON format: exception list objects, their items, and the closing
 * summary line (`{"exported_exception_list_count":1,"exported_exception_list_item_count":2,...}`). Lists are
 * returned in file order, each with its items.
 *
 * Every problem in the file is reported at once, each naming the file, the line and the field. Besides Kibana's
 * schema, each item must be accountable: an owner (`owner:<name>` tag, else `created_by`), a reason (a non-empty
 * comment) and an `expire_time` (unless `allowNoExpiry`).
 */
export function parseExceptionListExport(text: string, file: string, options: ParseExceptionOptions = {}): ExceptionList[] {
  const problems: ExceptionProblem[] = [];
  const lists: { list: Omit<ExceptionList, 'items'>; items: ExceptionItem[] }[] = [];
  const items: ExceptionItem[] = [];
  let summary: { line: number; value: Json } | undefined;

  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const report: Report = (field, problem) => problems.push({ line, field, problem });
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      report('', `not valid JSON (${(error as Error).message})`);
      return;
    }
    if (!isObject(value)) {
      report('', `expected a JSON object, found ${describeValue(value)}`);
      return;
    }
    if (summary) {
      report('', `nothing may follow the export summary on line ${summary.line}`);
      return;
    }
    if (SUMMARY_KEY in value) {
      summary = { line, value };
    } else if ('item_id' in value) {
      const item = readItem(value, file, line, report, (field, problem, itemId) => problems.push({ line, field, problem, itemId }), options);
      if (item) items.push(item);
    } else if ('list_id' in value) {
      const list = readList(value, file, line, report);
      if (list) lists.push({ list, items: [] });
    } else {
      report('', 'neither an exception list (list_id), an item (item_id) nor the export summary (exported_exception_list_count)');
    }
  });

  const byId = new Map<string, (typeof lists)[number]>();
  for (const entry of lists) {
    const previous = byId.get(entry.list.listId);
    if (previous) {
      problems.push({ line: entry.list.source.line, field: 'list_id', problem: `"${entry.list.listId}" is already defined on line ${previous.list.source.line}` });
    } else {
      byId.set(entry.list.listId, entry);
    }
  }
  for (const item of items) {
    const list = byId.get(item.listId);
    if (!list) {
      problems.push({ line: item.source.line, field: 'list_id', problem: `no exception list "${item.listId}" in this file` });
      continue;
    }
    const duplicate = list.items.find((other) => other.itemId === item.itemId);
    if (duplicate) {
      problems.push({ line: item.source.line, field: 'item_id', problem: `"${item.itemId}" is already defined on line ${duplicate.source.line}` });
      continue;
    }
    if (item.namespaceType !== list.list.namespaceType) {
      problems.push({ line: item.source.line, field: 'namespace_type', problem: `"${item.namespaceType}" differs from its list's "${list.list.namespaceType}"` });
    }
    list.items.push(item);
  }
  if (summary) checkSummary(summary, lists.length, items.length, problems);
  if (lists.length === 0 && problems.length === 0) problems.push({ line: 1, field: '', problem: 'the file holds no exception list' });

  if (problems.length > 0) throw new ExceptionFileError(file, problems.sort((a, b) => a.line - b.line));
  return lists.map(({ list, items: listItems }) => ({ ...list, items: listItems }));
}

/** A truncated or hand-edited export is caught by the counts Kibana wrote in its summary line. */
function checkSummary(summary: { line: number; value: Json }, listCount: number, itemCount: number, problems: ExceptionProblem[]): void {
  const expected: [string, number][] = [
    ['exported_exception_list_count', listCount],
    ['exported_exception_list_item_count', itemCount],
  ];
  for (const [key, actual] of expected) {
    const value = summary.value[key];
    if (value === undefined) continue;
    if (typeof value !== 'number') {
      problems.push({ line: summary.line, field: key, problem: `expected a number, found ${describeValue(value)}` });
    } else if (value !== actual) {
      problems.push({ line: summary.line, field: key, problem: `the summary counts ${value} but the file holds ${actual}; is the export truncated?` });
    }
  }
}

function readList(value: Json, file: string, line: number, report: Report): Omit<ExceptionList, 'items'> | undefined {
  const read = new Reader(value, report);
  const listId = read.requiredString('list_id');
  const id = read.optionalString('id');
  const name = read.requiredString('name');
  const description = read.optionalString('description') ?? '';
  const type = read.oneOf('type', EXCEPTION_LIST_TYPES, undefined);
  const namespaceType = read.oneOf('namespace_type', NAMESPACE_TYPES, 'single');
  const tags = read.stringList('tags');
  if (!read.ok || listId === undefined || name === undefined || type === undefined || namespaceType === undefined) return undefined;
  return { listId, ...(id !== undefined ? { id } : {}), name, description, type, namespaceType: namespaceType as NamespaceType, tags, source: { file, line } };
}

function readItem(
  value: Json,
  file: string,
  line: number,
  report: Report,
  reportAccountability: (field: string, problem: string, itemId: string) => void,
  options: ParseExceptionOptions,
): ExceptionItem | undefined {
  const read = new Reader(value, report);
  const itemId = read.requiredString('item_id');
  const listId = read.requiredString('list_id');
  const name = read.requiredString('name');
  const description = read.optionalString('description') ?? '';
  if (value.type !== 'simple') read.fail('type', `${describeValue(value.type)} is not "simple", the only item type`);
  const namespaceType = read.oneOf('namespace_type', NAMESPACE_TYPES, 'single');
  const tags = read.stringList('tags');
  const osTypes = read.stringList('os_types');
  const createdBy = read.optionalString('created_by');
  const entries = readEntries(value.entries, 'entries', read, false);
  const comments = readComments(value.comments, read);
  const expireTime = value.expire_time === undefined || value.expire_time === null ? undefined : read.optionalString('expire_time');
  let expireAt: number | undefined;
  if (expireTime !== undefined) {
    expireAt = ISO_DATE_TIME.test(expireTime) ? Date.parse(expireTime) : Number.NaN;
    if (Number.isNaN(expireAt)) read.fail('expire_time', `"${expireTime}" is not an ISO 8601 date-time such as "2026-12-31T00:00:00.000Z"`);
  }

  // Accountability: who answers for it, why it exists, until when.
  const who = itemId ?? '?';
  const ownerTags = tags.flatMap((tag) => {
    const match = OWNER_TAG.exec(tag);
    return match ? [match[1].trim()] : [];
  });
  if (ownerTags.some((owner) => owner === '')) reportAccountability('tags', `item "${who}" has an empty "owner:" tag`, who);
  const owner = ownerTags.find((o) => o !== '') ?? (createdBy?.trim() ? createdBy.trim() : undefined);
  if (owner === undefined) {
    reportAccountability('created_by', `item "${who}" has no owner: set created_by or add a tag "owner:<name>"`, who);
  }
  const reasons = comments.map((c) => c.comment.trim()).filter((c) => c !== '');
  if (reasons.length === 0) reportAccountability('comments', `item "${who}" has no reason: add a comment saying why the exception exists`, who);
  if (value.expire_time === undefined || value.expire_time === null) {
    if (!options.allowNoExpiry) {
      reportAccountability('expire_time', `item "${who}" never expires: set expire_time (or allow items without expiry, which the report then flags)`, who);
    }
  }

  if (!read.ok || owner === undefined || reasons.length === 0 || !entries) return undefined;
  return {
    itemId: itemId as string,
    listId: listId as string,
    name: name as string,
    description,
    namespaceType: namespaceType as NamespaceType,
    entries,
    comments,
    tags,
    osTypes,
    ...(createdBy !== undefined ? { createdBy } : {}),
    owner,
    reason: reasons.join('\n\n'),
    ...(expireTime !== undefined ? { expireTime, expireAt } : {}),
    neverExpires: expireTime === undefined,
    source: { file, line },
  };
}

function readComments(value: unknown, read: Reader): ExceptionComment[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    read.fail('comments', `expected a list of { comment } objects, found ${describeValue(value)}`);
    return [];
  }
  return value.flatMap((comment, i): ExceptionComment[] => {
    const at = `comments[${i}]`;
    if (!isObject(comment) || typeof comment.comment !== 'string') {
      read.fail(at, `expected an object with a "comment" string, found ${describeValue(comment)}`);
      return [];
    }
    return [{
      comment: comment.comment,
      ...(typeof comment.created_by === 'string' ? { createdBy: comment.created_by } : {}),
      ...(typeof comment.created_at === 'string' ? { createdAt: comment.created_at } : {}),
    }];
  });
}

function readEntries(value: unknown, at: string, read: Reader, nested: true): NestedSubEntry[] | undefined;
function readEntries(value: unknown, at: string, read: Reader, nested: false): ExceptionEntry[] | undefined;
function readEntries(value: unknown, at: string, read: Reader, nested: boolean): ExceptionEntry[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    read.fail(at, `expected a non-empty list of entries, found ${describeValue(value)}`);
    return undefined;
  }
  const entries = value.map((entry, i) => readEntry(entry, `${at}[${i}]`, read, nested));
  return entries.every((e) => e !== undefined) ? (entries as ExceptionEntry[]) : undefined;
}

function readEntry(entry: unknown, at: string, read: Reader, nested: boolean): ExceptionEntry | undefined {
  if (!isObject(entry)) {
    read.fail(at, `expected an entry object, found ${describeValue(entry)}`);
    return undefined;
  }
  const before = read.count;
  const field = typeof entry.field === 'string' && entry.field.trim() !== '' ? entry.field : undefined;
  if (field === undefined) read.fail(`${at}.field`, `expected a field name, found ${describeValue(entry.field)}`);
  const allowed: readonly string[] = nested ? NESTED_ENTRY_TYPES : ENTRY_TYPES;
  const type = entry.type;
  if (type === 'list' && !nested) {
    read.fail(`${at}.type`, '"list" entries (value lists) are not supported; list the values with "match_any" instead');
    return undefined;
  }
  if (typeof type !== 'string' || !allowed.includes(type)) {
    read.fail(`${at}.type`, `${describeValue(type)} is not one of ${allowed.join(', ')}${nested ? ' (inside a nested entry)' : ''}`);
    return undefined;
  }
  if (type === 'nested') {
    const entries = readEntries(entry.entries, `${at}.entries`, read, true);
    if (entry.operator !== undefined && entry.operator !== 'included') {
      read.fail(`${at}.operator`, 'a nested entry takes no operator; negate its inner entries instead');
    }
    return field !== undefined && entries ? { type, field, entries } : undefined;
  }
  const operator = entry.operator;
  if (typeof operator !== 'string' || !(EXCEPTION_OPERATORS as readonly string[]).includes(operator)) {
    read.fail(
      `${at}.operator`,
      operator === undefined ? `missing; expected one of ${EXCEPTION_OPERATORS.join(', ')}` : `${describeValue(operator)} is not one of ${EXCEPTION_OPERATORS.join(', ')}`,
    );
  }
  const op = operator as ExceptionOperator;
  switch (type) {
    case 'match':
    case 'wildcard': {
      const value = entry.value;
      if (typeof value !== 'string' || value === '') read.fail(`${at}.value`, `expected a non-empty string, found ${describeValue(value)}`);
      return read.count === before ? { type, field: field as string, operator: op, value: value as string } : undefined;
    }
    case 'match_any': {
      const value = entry.value;
      if (!Array.isArray(value) || value.length === 0) {
        read.fail(`${at}.value`, `expected a non-empty list of strings, found ${describeValue(value)}`);
      } else {
        value.forEach((v, j) => {
          if (typeof v !== 'string' || v === '') read.fail(`${at}.value[${j}]`, `expected a non-empty string, found ${describeValue(v)}`);
        });
      }
      return read.count === before ? { type, field: field as string, operator: op, value: value as string[] } : undefined;
    }
    default: // exists
      if (entry.value !== undefined) read.fail(`${at}.value`, '"exists" entries take no value');
      return read.count === before ? { type: 'exists', field: field as string, operator: op } : undefined;
  }
}

class Reader {
  count = 0;

  constructor(
    private readonly object: Json,
    private readonly report: Report,
  ) {}

  get ok(): boolean {
    return this.count === 0;
  }

  fail(field: string, problem: string): void {
    this.count += 1;
    this.report(field, problem);
  }

  requiredString(key: string): string | undefined {
    const value = this.object[key];
    if (typeof value !== 'string' || value.trim() === '') {
      this.fail(key, value === undefined ? 'missing; expected a non-empty string' : `expected a non-empty string, found ${describeValue(value)}`);
      return undefined;
    }
    return value;
  }

  optionalString(key: string): string | undefined {
    const value = this.object[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      this.fail(key, `expected a string, found ${describeValue(value)}`);
      return undefined;
    }
    return value;
  }

  oneOf(key: string, allowed: readonly string[], fallback: string | undefined): string | undefined {
    const value = this.object[key] ?? fallback;
    if (typeof value !== 'string' || !allowed.includes(value)) {
      this.fail(key, value === undefined ? `missing; expected one of ${allowed.join(', ')}` : `${describeValue(value)} is not one of ${allowed.join(', ')}`);
      return undefined;
    }
    return value;
  }

  stringList(key: string): string[] {
    const value = this.object[key];
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.fail(key, `expected a list of strings, found ${describeValue(value)}`);
      return [];
    }
    const bad = value.findIndex((v) => typeof v !== 'string');
    if (bad >= 0) {
      this.fail(`${key}[${bad}]`, `expected a string, found ${describeValue(value[bad])}`);
      return [];
    }
    return value as string[];
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'string') return value === '' ? 'an empty string' : JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `the ${typeof value} ${String(value)}`;
}

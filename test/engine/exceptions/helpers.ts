import type { ExceptionEntry, ExceptionItem, ExceptionList } from '../../../src/engine/exceptions';

export function item(entries: ExceptionEntry[], overrides: Partial<ExceptionItem> = {}): ExceptionItem {
  return {
    itemId: 'item-1',
    listId: 'list-1',
    name: 'test item',
    description: '',
    namespaceType: 'single',
    entries,
    comments: [{ comment: 'because' }],
    tags: [],
    osTypes: [],
    owner: 'tester',
    reason: 'because',
    expireTime: '2030-01-01T00:00:00.000Z',
    expireAt: Date.parse('2030-01-01T00:00:00.000Z'),
    neverExpires: false,
    source: { file: 'test.ndjson', line: 2 },
    ...overrides,
  };
}

export function list(items: ExceptionItem[], overrides: Partial<ExceptionList> = {}): ExceptionList {
  return {
    listId: 'list-1',
    name: 'test list',
    description: '',
    type: 'detection',
    namespaceType: 'single',
    tags: [],
    items,
    source: { file: 'test.ndjson', line: 1 },
    ...overrides,
  };
}

/** A Kibana-shaped item line; `overrides` replace top-level keys (undefined removes them). */
export function itemLine(overrides: Record<string, unknown> = {}): string {
  const base: Record<string, unknown> = {
    comments: [{ comment: 'nightly job', created_at: '2026-11-02T09:15:02.118Z', created_by: 'maria' }],
    created_by: 'maria',
    description: 'd',
    entries: [{ field: 'user.name', operator: 'included', type: 'match', value: 'nightly-backup' }],
    expire_time: '2027-01-31T00:00:00.000Z',
    item_id: 'item-1',
    list_id: 'list-1',
    name: 'item one',
    namespace_type: 'single',
    os_types: [],
    tags: [],
    type: 'simple',
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[key];
    else base[key] = value;
  }
  return JSON.stringify(base);
}

export const LIST_LINE = JSON.stringify({
  created_by: 'elastic',
  description: 'test',
  list_id: 'list-1',
  name: 'Test list',
  namespace_type: 'single',
  os_types: [],
  tags: [],
  type: 'detection',
});

export const NOW = new Date('2026-11-20T03:24:11.000Z');

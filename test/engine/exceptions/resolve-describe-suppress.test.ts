import {
  decideSuppression,
  describeExceptions,
  ExceptionConfigError,
  resolveRuleExceptions,
  suppressionKey,
  suppressionTerms,
  type SuppressionWindow,
} from '../../../src/engine/exceptions';
import type { AlertSuppressionConfig, RuleExceptionListReference } from '../../../src/engine/rules';
import { item, list, NOW } from './helpers';

const rule = (ruleId: string, exceptionsList: RuleExceptionListReference[] = []) => ({ ruleId, name: `Rule ${ruleId}`, sourceFile: `rules/${ruleId}.toml`, exceptionsList });
const backupItem = item(
  [
    { type: 'match', field: 'user.name', operator: 'included', value: 'nightly-backup' },
    { type: 'wildcard', field: 'aws.cloudtrail.flattened.request_parameters.s3BucketName', operator: 'included', value: 'backup-*' },
  ],
  { itemId: 'backup', name: 'nightly backup', expireTime: '2026-11-25T15:24:11.000Z', expireAt: Date.parse('2026-11-25T15:24:11.000Z'), owner: 'data-platform', reason: 'CHG-4711' },
);
const listA = list([backupItem], { listId: 'list-a' });
const listB = list([item([{ type: 'exists', field: 'x', operator: 'excluded' }], { itemId: 'b1', listId: 'list-b' })], { listId: 'list-b' });

describe('resolveRuleExceptions', () => {
  it('combines the rule exceptions_list and the mapping, each list once', () => {
    const [one, two] = resolveRuleExceptions(
      [rule('rule-1', [{ listId: 'list-a', namespaceType: 'single', type: 'detection' }]), rule('rule-2')],
      [listA, listB],
      { 'rule-1': ['list-a', 'list-b'] },
    );
    expect(one.lists.map((l) => [l.list.listId, l.via])).toEqual([['list-a', ['rule', 'mapping']], ['list-b', ['mapping']]]);
    expect(one.items.map((i) => i.itemId)).toEqual(['backup', 'b1']);
    expect(two).toEqual({ ruleId: 'rule-2', ruleName: 'Rule rule-2', lists: [], items: [] });
  });

  it('fails naming an unknown list id, an unknown rule, a namespace mismatch and duplicate lists', () => {
    const attempt = () =>
      resolveRuleExceptions(
        [rule('rule-1', [{ listId: 'nope', namespaceType: 'single', type: 'detection' }, { listId: 'list-a', namespaceType: 'agnostic', type: 'detection' }])],
        [listA, listB, list([], { listId: 'list-b', source: { file: 'other.ndjson', line: 4 } })],
        { 'rule-1': ['missing-list'], 'ghost-rule': ['list-a'] },
      );
    expect(attempt).toThrow(ExceptionConfigError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ExceptionConfigError).problems;
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/exception list "list-b" is defined twice: test\.ndjson:1 and other\.ndjson:4/),
          expect.stringMatching(/mapping names rule "ghost-rule", which is not loaded/),
          expect.stringMatching(/rule "rule-1" \(Rule rule-1\) names exception list "nope" in rules\/rule-1\.toml exceptions_list\[0\], but no such list is loaded/),
          expect.stringMatching(/namespace_type "agnostic"/),
          expect.stringMatching(/mapping gives rule "rule-1" \(Rule rule-1\) exception list "missing-list", but no such list is loaded/),
        ]),
      );
      expect(problems).toHaveLength(5);
    }
    expect(() => resolveRuleExceptions([rule('r-1')], [listA], { 'r-1': ['zzz'] })).toThrow('exception list "zzz"');
  });
});

describe('describeExceptions', () => {
  it('writes one row per rule and item with conditions in words', () => {
    const resolved = resolveRuleExceptions([rule('rule-1')], [listA], { 'rule-1': ['list-a'] });
    expect(describeExceptions(resolved, NOW)).toEqual([
      {
        ruleId: 'rule-1',
        ruleName: 'Rule rule-1',
        listId: 'list-a',
        itemId: 'backup',
        itemName: 'nightly backup',
        conditions: 'user.name is "nightly-backup" AND aws.cloudtrail.flattened.request_parameters.s3BucketName matches "backup-*"',
        owner: 'data-platform',
        reason: 'CHG-4711',
        expireTime: '2026-11-25T15:24:11.000Z',
        daysLeft: 5,
        neverExpires: false,
        expired: false,
      },
    ]);
    const rows = describeExceptions(resolved, new Date('2026-11-25T15:24:11.000Z'));
    expect(rows[0]).toMatchObject({ daysLeft: 0, expired: true });
  });

  it('describes every operator and flags items that never expire', () => {
    const everything = item(
      [
        { type: 'match', field: 'a', operator: 'excluded', value: 'x' },
        { type: 'match_any', field: 'b', operator: 'included', value: ['p', 'q'] },
        { type: 'match_any', field: 'b', operator: 'excluded', value: ['r'] },
        { type: 'exists', field: 'c', operator: 'included' },
        { type: 'exists', field: 'c', operator: 'excluded' },
        { type: 'wildcard', field: 'd', operator: 'excluded', value: 'y*' },
        { type: 'nested', field: 'e', entries: [{ type: 'match', field: 'k', operator: 'included', value: 'v' }, { type: 'exists', field: 'w', operator: 'included' }] },
      ],
      { expireTime: undefined, expireAt: undefined, neverExpires: true },
    );
    const [row] = describeExceptions(resolveRuleExceptions([rule('rule-1')], [list([everything])], { 'rule-1': ['list-1'] }), NOW);
    expect(row.conditions).toBe(
      'a is not "x" AND b is one of "p", "q" AND b is not one of "r" AND c exists AND c does not exist AND d does not match "y*" AND e has an element where (k is "v" AND w exists)',
    );
    expect(row).toMatchObject({ expireTime: null, daysLeft: null, neverExpires: true, expired: false });
  });
});

describe('suppressionKey', () => {
  const config = (groupBy: string[], missingFieldsStrategy: AlertSuppressionConfig['missingFieldsStrategy'] = 'suppress'): { ruleId: string; alertSuppression: AlertSuppressionConfig } => ({
    ruleId: 'rule-1',
    alertSuppression: { groupBy, duration: { value: 5, unit: 'm' }, missingFieldsStrategy },
  });
  const alert = { user: { name: 'bob' }, source: { ip: '198.51.100.42' }, tags: ['b', 'a'] };

  it('is a stable hash of the rule id and the group_by values', () => {
    const key = suppressionKey(config(['user.name', 'source.ip']), alert);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(suppressionKey(config(['user.name', 'source.ip']), { ...alert, event: { id: 'other' } })).toBe(key);
    expect(suppressionKey(config(['user.name', 'source.ip']), { ...alert, user: { name: 'eve' } })).not.toBe(key);
    expect(suppressionKey({ ...config(['user.name', 'source.ip']), ruleId: 'rule-2' }, alert)).not.toBe(key);
    expect(suppressionKey(config(['tags']), alert)).toBe(suppressionKey(config(['tags']), { tags: ['a', 'b', 'a'] }));
    expect(suppressionTerms(config(['tags', 'user.name']), alert)).toEqual([{ field: 'tags', value: ['a', 'b'] }, { field: 'user.name', value: 'bob' }]);
  });

  it('groups a missing field as null with "suppress", and never suppresses with "doNotSuppress"', () => {
    expect(suppressionTerms(config(['user.name', 'user.email']), alert)).toEqual([{ field: 'user.name', value: 'bob' }, { field: 'user.email', value: null }]);
    expect(suppressionKey(config(['user.email']), alert)).toBe(suppressionKey(config(['user.email']), {}));
    expect(suppressionKey(config(['user.email'], 'doNotSuppress'), alert)).toBeUndefined();
    expect(suppressionKey(config(['user.name'], 'doNotSuppress'), alert)).toMatch(/^[0-9a-f]{64}$/);
    expect(suppressionKey({ ruleId: 'rule-1' }, alert)).toBeUndefined();
  });
});

describe('decideSuppression', () => {
  const duration = { value: 5, unit: 'm' } as const;
  const t = (iso: string) => new Date(iso);

  it('alerts and opens a window on the first match, then counts matches inside it', () => {
    const first = decideSuppression(undefined, t('2026-11-20T03:00:00.000Z'), duration, 'k');
    expect(first).toEqual({
      action: 'alert',
      window: { key: 'k', start: '2026-11-20T03:00:00.000Z', end: '2026-11-20T03:05:00.000Z', suppressedCount: 0 },
      suppressedSinceLastAlert: 0,
    });
    const second = decideSuppression(first.window, t('2026-11-20T03:01:00.000Z'), duration, 'k');
    expect(second).toEqual({ action: 'suppress', window: { ...first.window, suppressedCount: 1 } });
    const third = decideSuppression(second.window, t('2026-11-20T03:04:59.999Z'), duration, 'k');
    expect(third).toEqual({ action: 'suppress', window: { ...first.window, suppressedCount: 2 } });
  });

  it('alerts exactly at the end boundary, reporting how many were suppressed', () => {
    const window: SuppressionWindow = { key: 'k', start: '2026-11-20T03:00:00.000Z', end: '2026-11-20T03:05:00.000Z', suppressedCount: 7 };
    const next = decideSuppression(window, t('2026-11-20T03:05:00.000Z'), duration, 'k');
    expect(next).toEqual({
      action: 'alert',
      window: { key: 'k', start: '2026-11-20T03:05:00.000Z', end: '2026-11-20T03:10:00.000Z', suppressedCount: 0 },
      suppressedSinceLastAlert: 7,
      previousWindow: window,
    });
  });

  it('suppresses a late event timed before the window, accepts milliseconds, and rejects a foreign window', () => {
    const window: SuppressionWindow = { key: 'k', start: '2026-11-20T03:00:00.000Z', end: '2026-11-20T03:00:30.000Z', suppressedCount: 0 };
    expect(decideSuppression(window, t('2026-11-20T02:59:00.000Z'), 30_000, 'k').action).toBe('suppress');
    expect(decideSuppression(undefined, t('2026-11-20T03:00:00.000Z'), { value: 2, unit: 'h' }, 'k').window.end).toBe('2026-11-20T05:00:00.000Z');
    expect(decideSuppression(undefined, t('2026-11-20T03:00:00.000Z'), { value: 10, unit: 's' }, 'k').window.end).toBe('2026-11-20T03:00:10.000Z');
    expect(() => decideSuppression(window, t('2026-11-20T03:00:00.000Z'), duration, 'other')).toThrow(/used for key other/);
    expect(() => decideSuppression(undefined, t('2026-11-20T03:00:00.000Z'), 0, 'k')).toThrow(/positive/);
  });
});

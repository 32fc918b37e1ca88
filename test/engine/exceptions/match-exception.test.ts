import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeCloudTrail } from '../../../src/engine/ecs';
import {
  findMatchingException,
  matchesException,
  parseExceptionListExport,
  wildcardPattern,
  type ExceptionEntry,
} from '../../../src/engine/exceptions';
import { assumedRoleIdentity, startExportTaskRecord } from '../../support/cloudtrail-records';
import { item, list, NOW } from './helpers';

const match = (field: string, value: string, operator: 'included' | 'excluded' = 'included'): ExceptionEntry => ({ type: 'match', field, operator, value });
const holds = (entries: ExceptionEntry[], document: unknown): boolean => matchesException(item(entries), document, NOW);

const doc = {
  user: { name: 'nightly-backup' },
  event: { action: 'StartExportTask', outcome: 'success', code: 200, empty: null },
  tags: ['a', 'b'],
  'cloud.region': 'us-east-1',
  aws: { cloudtrail: { flattened: { request_parameters: { s3BucketName: 'backup-2026', s3Prefix: 'nightly/orders' } } } },
  process: {
    env: [
      { name: 'STAGE', value: 'prod' },
      { name: 'OWNER', value: 'ops' },
    ],
  },
};

describe('match', () => {
  it('is exact and case-sensitive', () => {
    expect(holds([match('user.name', 'nightly-backup')], doc)).toBe(true);
    expect(holds([match('user.name', 'Nightly-Backup')], doc)).toBe(false);
    expect(holds([match('user.name', 'nightly')], doc)).toBe(false);
  });

  it('matches any element of an array, literal dotted keys and scalars by their text', () => {
    expect(holds([match('tags', 'b')], doc)).toBe(true);
    expect(holds([match('cloud.region', 'us-east-1')], doc)).toBe(true);
    expect(holds([match('event.code', '200')], doc)).toBe(true);
  });

  it('excluded negates, and holds when the field is missing', () => {
    expect(holds([match('user.name', 'nightly-backup', 'excluded')], doc)).toBe(false);
    expect(holds([match('user.name', 'someone-else', 'excluded')], doc)).toBe(true);
    expect(holds([match('no.such.field', 'x', 'excluded')], doc)).toBe(true);
    expect(holds([match('tags', 'a', 'excluded')], doc)).toBe(false); // some element is "a"
  });
});

describe('match_any', () => {
  const entry = (values: string[], operator: 'included' | 'excluded' = 'included'): ExceptionEntry => ({ type: 'match_any', field: 'event.action', operator, value: values });
  it('holds when the field equals any value, case-sensitively', () => {
    expect(holds([entry(['CreateDBSnapshot', 'StartExportTask'])], doc)).toBe(true);
    expect(holds([entry(['startexporttask'])], doc)).toBe(false);
    expect(holds([{ type: 'match_any', field: 'tags', operator: 'included', value: ['z', 'b'] }], doc)).toBe(true);
  });
  it('excluded: none of the values', () => {
    expect(holds([entry(['CreateDBSnapshot'], 'excluded')], doc)).toBe(true);
    expect(holds([entry(['CreateDBSnapshot', 'StartExportTask'], 'excluded')], doc)).toBe(false);
  });
});

describe('exists', () => {
  const exists = (field: string, operator: 'included' | 'excluded' = 'included'): ExceptionEntry => ({ type: 'exists', field, operator });
  it('holds for a present non-null value, including objects holding values', () => {
    expect(holds([exists('user.name')], doc)).toBe(true);
    expect(holds([exists('aws.cloudtrail')], doc)).toBe(true);
    expect(holds([exists('event.empty')], doc)).toBe(false);
    expect(holds([exists('user.email')], doc)).toBe(false);
    expect(holds([exists('x')], { x: [] })).toBe(false);
    expect(holds([exists('x')], { x: { y: null } })).toBe(false);
  });
  it('excluded: does not exist', () => {
    expect(holds([exists('user.email', 'excluded')], doc)).toBe(true);
    expect(holds([exists('user.name', 'excluded')], doc)).toBe(false);
  });
});

describe('wildcard ("matches")', () => {
  const wildcard = (value: string, operator: 'included' | 'excluded' = 'included', field = 'aws.cloudtrail.flattened.request_parameters.s3BucketName'): ExceptionEntry => ({ type: 'wildcard', field, operator, value });
  it('* is any run of characters, ? exactly one, and the whole value must match', () => {
    expect(holds([wildcard('backup-*')], doc)).toBe(true);
    expect(holds([wildcard('*-2026')], doc)).toBe(true);
    expect(holds([wildcard('backup-202?')], doc)).toBe(true);
    expect(holds([wildcard('backup-20?')], doc)).toBe(false);
    expect(holds([wildcard('backup')], doc)).toBe(false);
    expect(holds([wildcard('backup-2026*')], doc)).toBe(true); // * may be empty
    expect(holds([wildcard('Backup-*')], doc)).toBe(false); // case-sensitive
  });
  it('treats other characters literally and honours backslash escapes', () => {
    expect(wildcardPattern('a.b').test('axb')).toBe(false);
    expect(wildcardPattern('a\\*b').test('a*b')).toBe(true);
    expect(wildcardPattern('a\\*b').test('axxb')).toBe(false);
    expect(wildcardPattern('a\\?b').test('axb')).toBe(false);
    expect(wildcardPattern('C:\\\\Windows\\\\*').test('C:\\Windows\\explorer.exe')).toBe(true);
    expect(wildcardPattern('(x)[y]{z}|+^$/-').test('(x)[y]{z}|+^$/-')).toBe(true);
    expect(wildcardPattern('nightly/*\n*').test('nightly/a\nb')).toBe(true);
  });
  it('excluded: does not match', () => {
    expect(holds([wildcard('prod-*', 'excluded')], doc)).toBe(true);
    expect(holds([wildcard('backup-*', 'excluded')], doc)).toBe(false);
  });
  it('agrees with a reference implementation on patterns without escapes', () => {
    const chars = fc.constantFrom('a', 'b', '*', '?');
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 6 }), fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 6 }), (pattern, text) => {
        const reference = (p: string, t: string): boolean => {
          if (p === '') return t === '';
          if (p[0] === '*') return reference(p.slice(1), t) || (t !== '' && reference(p, t.slice(1)));
          if (t === '') return false;
          return (p[0] === '?' || p[0] === t[0]) && reference(p.slice(1), t.slice(1));
        };
        expect(wildcardPattern(pattern).test(text)).toBe(reference(pattern, text));
      }),
    );
  });
});

describe('nested', () => {
  const nested = (entries: ExceptionEntry[]): ExceptionEntry => ({ type: 'nested', field: 'process.env', entries: entries as never });
  it('requires all inner entries to hold within the same object', () => {
    expect(holds([nested([match('name', 'STAGE'), match('value', 'prod')])], doc)).toBe(true);
    // STAGE is in one object and ops in another: not the same object.
    expect(holds([nested([match('name', 'STAGE'), match('value', 'ops')])], doc)).toBe(false);
    // A flat AND across the array does match them in different objects, unlike nested.
    expect(holds([match('process.env.name', 'STAGE'), match('process.env.value', 'ops')], doc)).toBe(true);
  });
  it('supports excluded inner entries and fails on a missing or scalar path', () => {
    expect(holds([nested([match('name', 'STAGE'), match('value', 'dev', 'excluded')])], doc)).toBe(true);
    expect(holds([nested([match('name', 'STAGE'), match('value', 'prod', 'excluded')])], doc)).toBe(false);
    expect(holds([{ type: 'nested', field: 'missing', entries: [{ type: 'exists', field: 'a', operator: 'excluded' }] }], doc)).toBe(false);
    expect(holds([{ type: 'nested', field: 'user.name', entries: [{ type: 'exists', field: 'a', operator: 'excluded' }] }], doc)).toBe(false);
  });
  it('accepts a single object as well as an array of objects', () => {
    expect(holds([{ type: 'nested', field: 'user', entries: [match('name', 'nightly-backup')] as never }], doc)).toBe(true);
  });
});

describe('AND across entries, OR across items and lists', () => {
  const yes = match('user.name', 'nightly-backup');
  const no = match('user.name', 'someone');
  it('ANDs the entries of an item', () => {
    expect(holds([yes, match('event.outcome', 'success')], doc)).toBe(true);
    expect(holds([yes, no], doc)).toBe(false);
  });
  it('ORs items and lists, returning the first match', () => {
    const first = item([no], { itemId: 'first' });
    const second = item([yes], { itemId: 'second' });
    const third = item([yes], { itemId: 'third' });
    const found = findMatchingException([list([first]), list([second, third], { listId: 'list-2' })], doc, NOW);
    expect(found?.item.itemId).toBe('second');
    expect(found?.list.listId).toBe('list-2');
    expect(findMatchingException([list([first])], doc, NOW)).toBeUndefined();
    expect(findMatchingException([], doc, NOW)).toBeUndefined();
  });
});

describe('expiry', () => {
  const entries = [match('user.name', 'nightly-backup')];
  const at = (iso: string) => item(entries, { expireTime: iso, expireAt: Date.parse(iso) });
  it('applies before expire_time and not at or after it', () => {
    const expiring = at('2026-11-20T03:24:11.000Z'); // == NOW
    expect(matchesException(expiring, doc, new Date(NOW.getTime() - 1))).toBe(true);
    expect(matchesException(expiring, doc, NOW)).toBe(false);
    expect(matchesException(expiring, doc, new Date(NOW.getTime() + 1))).toBe(false);
  });
  it('an item that never expires always applies, and an expired item is skipped for the next one', () => {
    expect(matchesException(item(entries, { expireTime: undefined, expireAt: undefined, neverExpires: true }), doc, new Date('2999-01-01T00:00:00Z'))).toBe(true);
    const expired = { ...at('2026-01-01T00:00:00.000Z'), itemId: 'old' };
    const current = { ...at('2027-01-01T00:00:00.000Z'), itemId: 'new' };
    expect(findMatchingException([list([expired, current])], doc, NOW)?.item.itemId).toBe('new');
  });
});

describe('the nightly-backup export against normalized CloudTrail', () => {
  const lists = parseExceptionListExport(
    readFileSync(join(__dirname, '../../fixtures/exceptions/nightly-backup.ndjson'), 'utf8'),
    'nightly-backup.ndjson',
  );
  const normalize = (identity: Record<string, unknown>, overrides: Record<string, unknown> = {}) =>
    normalizeCloudTrail(startExportTaskRecord({ userIdentity: identity, ...overrides }), { receivedAt: NOW });

  it('excepts the nightly-backup role exporting to its bucket', () => {
    const document = normalize(assumedRoleIdentity('i-0abc', 'nightly-backup'));
    expect(findMatchingException(lists, document, NOW)?.item.itemId).toBe('nightly-backup-rds-export');
  });

  it('does not except another role, another bucket, or the same event after expiry', () => {
    expect(findMatchingException(lists, normalize(assumedRoleIdentity('alice@example.com', 'DataEngineer')), NOW)).toBeUndefined();
    const otherBucket = startExportTaskRecord({ userIdentity: assumedRoleIdentity('i-0abc', 'nightly-backup') });
    (otherBucket.requestParameters as Record<string, unknown>).s3BucketName = 'attacker-bucket';
    expect(findMatchingException(lists, normalizeCloudTrail(otherBucket, { receivedAt: NOW }), NOW)).toBeUndefined();
    const document = normalize(assumedRoleIdentity('i-0abc', 'nightly-backup'));
    expect(findMatchingException(lists, document, new Date('2027-01-31T00:00:00.000Z'))).toBeUndefined();
  });
});

describe('wildcard matching cost', () => {
  // A backtracking regex (^.*a.*a.*a.*a.*a.*a.*b$) would not return on this input within the test timeout.
  it('places segments leftmost instead of backtracking, so an attacker-chosen value cannot stall it', () => {
    expect(wildcardPattern('*a*a*a*a*a*a*b').test('a'.repeat(5000))).toBe(false);
    expect(wildcardPattern('*a*a*a*a*a*a*b').test(`${'a'.repeat(5000)}b`)).toBe(true);
  });

  it('treats ? as exactly one character, also outside the basic plane', () => {
    expect(wildcardPattern('a?c').test('a🙂c')).toBe(true);
    expect(wildcardPattern('a?c').test('ac')).toBe(false);
    expect(wildcardPattern('*?').test('')).toBe(false);
    expect(wildcardPattern('x*?*y').test('xy')).toBe(false);
    expect(wildcardPattern('x*?*y').test('x-y')).toBe(true);
  });
});

import fc from 'fast-check';
import type { EventPattern } from '../../../src/engine/eventbridge';
import {
  combinable,
  groupPatterns,
  packIntoGroups,
  patternSize,
  serviceLabel,
  unionPatterns,
} from '../../../src/engine/eventbridge/group-patterns';
import { matchesEventPattern } from '../../support/eventbridge-matcher';

const API = 'AWS API Call via CloudTrail';
const iam = (eventName: string): EventPattern => ({
  source: ['aws.iam'],
  'detail-type': [API],
  detail: { eventSource: ['iam.amazonaws.com'], eventName: [eventName], errorCode: [{ exists: false }] },
});
const event = (source: string, eventName: string, extra: Record<string, unknown> = {}) => ({
  source,
  'detail-type': API,
  detail: { eventSource: `${source.slice(4)}.amazonaws.com`, eventName, ...extra },
});

describe('packIntoGroups', () => {
  it('packs first-fit in order under a size budget', () => {
    const sum = (group: readonly number[]) => group.reduce((a, b) => a + b, 0);
    expect(packIntoGroups([5, 4, 3, 2, 6, 1], (group) => sum(group) <= 10)).toEqual([[5, 4, 1], [3, 2], [6]]);
  });

  it('gives an item that never fits a group of its own', () => {
    expect(packIntoGroups([20, 1, 2], (group) => group.reduce((a, b) => a + b, 0) <= 10)).toEqual([[20], [1, 2]]);
  });

  it('keeps every item exactly once and every multi-item group within the budget', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 40 }), fc.integer({ min: 1, max: 50 }), (items, budget) => {
        const sum = (group: readonly number[]) => group.reduce((a, b) => a + b, 0);
        const groups = packIntoGroups(items, (group) => sum(group) <= budget);
        expect(groups.flat().sort((a, b) => a - b)).toEqual([...items].sort((a, b) => a - b));
        for (const group of groups) if (group.length > 1) expect(sum(group)).toBeLessThanOrEqual(budget);
      }),
    );
  });
});

describe('unionPatterns', () => {
  it('returns a single pattern unchanged', () => {
    expect(unionPatterns([iam('CreateUser')])).toEqual(iam('CreateUser'));
    expect(unionPatterns([iam('CreateUser'), iam('CreateUser')])).toEqual(iam('CreateUser'));
  });

  it('keeps identical top-level keys once and puts the rest under $or', () => {
    expect(unionPatterns([iam('CreateUser'), iam('DeleteUser')])).toEqual({
      source: ['aws.iam'],
      'detail-type': [API],
      $or: [{ detail: iam('CreateUser').detail }, { detail: iam('DeleteUser').detail }],
    });
  });

  it('lets a pattern that implies the others stand alone', () => {
    const broad = { source: ['aws.iam'], 'detail-type': [API] };
    expect(unionPatterns([iam('CreateUser'), broad])).toEqual(broad);
  });

  it('matches exactly the union of what its members match', () => {
    const patterns = [iam('CreateUser'), iam('DeleteUser'), { source: ['aws.sts'], 'detail-type': [API], detail: { eventName: ['GetCallerIdentity'] } }];
    const union = unionPatterns(patterns);
    const events = [
      event('aws.iam', 'CreateUser'),
      event('aws.iam', 'DeleteUser'),
      event('aws.iam', 'DeleteUser', { errorCode: 'AccessDenied' }),
      event('aws.iam', 'ListUsers'),
      event('aws.sts', 'GetCallerIdentity'),
      event('aws.sts', 'CreateUser'),
      event('aws.ec2', 'CreateUser'),
    ];
    for (const candidate of events) {
      expect(matchesEventPattern(union, candidate)).toBe(patterns.some((pattern) => matchesEventPattern(pattern, candidate)));
    }
  });

  it('refuses to nest $or', () => {
    const withOr: EventPattern = { source: ['aws.iam'], detail: { $or: [{ eventName: ['A'] }, { userAgent: ['B'] }] } };
    expect(combinable(withOr)).toBe(false);
    expect(() => unionPatterns([withOr, iam('CreateUser')])).toThrow(/\$or/);
  });
});

describe('serviceLabel', () => {
  it('uses source, else literal eventSource values, else "any"', () => {
    expect(serviceLabel(iam('CreateUser'))).toBe('aws.iam');
    expect(serviceLabel({ 'detail-type': [API], detail: { eventSource: ['wafv2.amazonaws.com', 'waf.amazonaws.com'] } })).toBe(
      'waf.amazonaws.com,wafv2.amazonaws.com',
    );
    expect(serviceLabel({ 'detail-type': [API], detail: { eventSource: [{ 'anything-but': ['x'] }] } })).toBe('any');
  });
});

describe('groupPatterns', () => {
  const entries = Array.from({ length: 40 }, (_, index) => ({
    ruleId: `00000000-0000-0000-0000-${String(index).padStart(12, '0')}`,
    name: `rule ${index}`,
    pattern: index % 2 === 0 ? iam(`Action${index}WithALongEnoughName`) : { ...iam(`Other${index}`), source: ['aws.sts'] },
  }));

  it('keeps a lone rule as it is, described by name and id', () => {
    expect(groupPatterns([entries[0]])).toEqual([
      { service: 'aws.iam', members: [entries[0]], pattern: entries[0].pattern, description: `rule 0 (${entries[0].ruleId})` },
    ]);
  });

  it('groups per service, within the pattern and description budgets, covering every rule once', () => {
    const groups = groupPatterns(entries, { patternBudget: 600, descriptionBudget: 300 });
    const services = groups.map((group) => group.service);
    expect(services).toEqual([...services].sort());
    expect(new Set(services)).toEqual(new Set(['aws.iam', 'aws.sts']));
    expect(groups.flatMap((group) => group.members.map((member) => member.ruleId)).sort()).toEqual(entries.map((entry) => entry.ruleId).sort());
    for (const group of groups) {
      expect(patternSize(group.pattern)).toBeLessThanOrEqual(600);
      expect(group.description.length).toBeLessThanOrEqual(300);
      for (const member of group.members) {
        expect(serviceLabel(member.pattern)).toBe(group.service);
        expect(group.description).toContain(member.ruleId);
      }
    }
    expect(groups.length).toBeLessThan(entries.length);
  });

  it('keeps rules whose pattern uses $or in groups of their own', () => {
    const withOr = { ruleId: 'or-rule', name: 'or', pattern: { ...iam('X'), detail: { $or: [{ eventName: ['A'] }, { userAgent: ['B'] }] } } };
    const groups = groupPatterns([entries[0], withOr, entries[2]]);
    expect(groups.map((group) => group.members.map((member) => member.ruleId))).toEqual([[entries[0].ruleId, entries[2].ruleId], ['or-rule']]);
    expect(groups[1].pattern).toEqual(withOr.pattern);
  });
});

import { matchesEventPattern } from '../../support/eventbridge-matcher';

/** The test oracle itself, checked against the behaviour the EventBridge docs and event-ruler README describe. */
describe('matchesEventPattern', () => {
  const event = {
    source: 'aws.ec2',
    'detail-type': 'AWS API Call via CloudTrail',
    resources: ['arn:a', 'arn:b'],
    detail: {
      state: 'running',
      count: 5,
      flag: true,
      nothing: null,
      tags: ['red', 'blue'],
      items: [
        { name: 'a', size: 1 },
        { name: 'b', size: 2 },
      ],
      nested: { inner: 'x' },
      path: 'dir/a*b\\c.png',
    },
  };
  const matches = (pattern: object) => matchesEventPattern(pattern, event);

  it('matches exact values with their JSON type', () => {
    expect(matches({ source: ['aws.ec2'] })).toBe(true);
    expect(matches({ source: ['aws.rds', 'aws.ec2'] })).toBe(true);
    expect(matches({ source: ['AWS.EC2'] })).toBe(false);
    expect(matches({ detail: { count: [5] } })).toBe(true);
    expect(matches({ detail: { count: ['5'] } })).toBe(false);
    expect(matches({ detail: { flag: [true] } })).toBe(true);
    expect(matches({ detail: { flag: ['true'] } })).toBe(false);
    expect(matches({ detail: { nothing: [null] } })).toBe(true);
  });

  it('requires every field (and) and matches event arrays by any element', () => {
    expect(matches({ source: ['aws.ec2'], detail: { state: ['stopped'] } })).toBe(false);
    expect(matches({ resources: ['arn:b'] })).toBe(true);
    expect(matches({ detail: { tags: ['blue'] } })).toBe(true);
  });

  it('matches nested patterns within one array element', () => {
    expect(matches({ detail: { items: { name: ['a'], size: [1] } } })).toBe(true);
    expect(matches({ detail: { items: { name: ['a'], size: [2] } } })).toBe(false);
  });

  it('supports prefix, suffix, equals-ignore-case and wildcard on strings only', () => {
    expect(matches({ detail: { state: [{ prefix: 'run' }] } })).toBe(true);
    expect(matches({ detail: { state: [{ suffix: 'ing' }] } })).toBe(true);
    expect(matches({ detail: { state: [{ prefix: { 'equals-ignore-case': 'RUN' } }] } })).toBe(true);
    expect(matches({ detail: { state: [{ 'equals-ignore-case': 'RUNNING' }] } })).toBe(true);
    expect(matches({ detail: { count: [{ prefix: '5' }] } })).toBe(false);
    expect(matches({ detail: { path: [{ wildcard: 'dir/*.png' }] } })).toBe(true);
    expect(matches({ detail: { path: [{ wildcard: 'dir/a\\*b\\\\c.png' }] } })).toBe(true);
    expect(matches({ detail: { path: [{ wildcard: 'dir/a\\*c*' }] } })).toBe(false);
  });

  it('rejects invalid wildcards', () => {
    expect(() => matches({ detail: { path: [{ wildcard: 'a**b' }] } })).toThrow(/consecutive/);
    expect(() => matches({ detail: { path: [{ wildcard: 'a\\b' }] } })).toThrow(/escape/);
  });

  it('treats missing fields and objects as absent leaves', () => {
    expect(matches({ detail: { errorCode: [{ exists: false }] } })).toBe(true);
    expect(matches({ detail: { errorCode: [{ exists: true }] } })).toBe(false);
    expect(matches({ detail: { state: [{ exists: false }] } })).toBe(false);
    expect(matches({ detail: { nested: [{ exists: false }] } })).toBe(true);
    expect(matches({ detail: { missing: { deeper: [{ exists: false }] } } })).toBe(true);
    expect(matches({ detail: { errorCode: ['x'] } })).toBe(false);
  });

  it('needs the field present for anything-but', () => {
    expect(matches({ detail: { state: [{ 'anything-but': 'stopped' }] } })).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': ['running', 'stopped'] }] } })).toBe(false);
    expect(matches({ detail: { state: [{ 'anything-but': { prefix: 'run' } }] } })).toBe(false);
    expect(matches({ detail: { tags: [{ 'anything-but': 'red' }] } })).toBe(true);
    expect(matches({ detail: { missing: [{ 'anything-but': 'x' }] } })).toBe(false);
  });

  it('supports numeric ranges and cidr', () => {
    expect(matches({ detail: { count: [{ numeric: ['>', 0, '<=', 5] }] } })).toBe(true);
    expect(matches({ detail: { count: [{ numeric: ['<', 5] }] } })).toBe(false);
    expect(matchesEventPattern({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.0.7' })).toBe(true);
    expect(matchesEventPattern({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.1.7' })).toBe(false);
  });

  it('supports $or at any level', () => {
    expect(matches({ $or: [{ source: ['aws.rds'] }, { detail: { state: ['running'] } }] })).toBe(true);
    expect(matches({ detail: { $or: [{ state: ['stopped'] }, { count: [6] }] } })).toBe(false);
    expect(() => matches({ $or: [{ source: ['aws.ec2'] }] })).toThrow(/\$or/);
  });
});

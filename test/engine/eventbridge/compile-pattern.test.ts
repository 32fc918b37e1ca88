import { compileEventPattern } from '../../../src/engine/eventbridge';
import type { KqlNode } from '../../../src/engine/kql/ast';
import { parseKql } from '../../../src/engine/kql';
import { matchesEventPattern } from '../../support/eventbridge-matcher';
import { assertPatternIsSound } from './soundness';

const API_CALL = 'AWS API Call via CloudTrail';
const SIGN_IN_TYPES = [API_CALL, 'AWS Console Sign In via CloudTrail', 'AWS Console Signin via CloudTrail'];

const SEED_QUERY = 'event.dataset:aws.cloudtrail and event.provider:rds.amazonaws.com and event.action:StartExportTask and event.outcome:success';
const SEED_PATTERN = {
  source: ['aws.rds'],
  'detail-type': [API_CALL],
  detail: { eventSource: ['rds.amazonaws.com'], eventName: ['StartExportTask'], errorCode: [{ exists: false }, null, '', '-', 'none'] },
};

const compile = (query: string) => compileEventPattern(parseKql(query));

describe('compileEventPattern: the seed rule', () => {
  it('gives the documented StartExportTask pattern, precisely', () => {
    expect(compile(SEED_QUERY)).toEqual({ pattern: SEED_PATTERN, precision: 'precise', notes: [] });
  });

  it('gives the same pattern for the data_stream.dataset form of the query', () => {
    const current = 'data_stream.dataset: aws.cloudtrail and event.provider: rds.amazonaws.com and event.action: StartExportTask and event.outcome: success';
    expect(compile(current).pattern).toEqual(SEED_PATTERN);
  });

  it('does not depend on the KQL parser (hand-built tree)', () => {
    const is = (field: string, value: string): KqlNode => ({
      type: 'is',
      field: { kind: 'literal', value: field, quoted: false },
      value: { kind: 'literal', value, quoted: false },
    });
    const ast: KqlNode = {
      type: 'and',
      children: [is('event.dataset', 'aws.cloudtrail'), is('event.provider', 'rds.amazonaws.com'), is('event.action', 'StartExportTask'), is('event.outcome', 'success')],
    };
    expect(compileEventPattern(ast).pattern).toEqual(SEED_PATTERN);
  });

  it('lets a successful StartExportTask envelope through and stops a failed one', () => {
    const envelope = (detail: object) => ({ source: 'aws.rds', 'detail-type': API_CALL, detail });
    const call = { eventSource: 'rds.amazonaws.com', eventName: 'StartExportTask' };
    expect(matchesEventPattern(SEED_PATTERN, envelope(call))).toBe(true);
    expect(matchesEventPattern(SEED_PATTERN, envelope({ ...call, errorCode: 'AccessDenied', errorMessage: 'denied' }))).toBe(false);
  });

  it('is sound on generated CloudTrail deliveries', () => {
    const run = assertPatternIsSound(SEED_QUERY, 500);
    expect(run.queryMatches).toBeGreaterThan(20);
  });
});

describe('compileEventPattern: value lists and alternatives', () => {
  it('turns a value list into a matcher list', () => {
    const { pattern, precision } = compile('event.provider: iam.amazonaws.com and event.action: (CreateUser or "DeleteUser")');
    expect(precision).toBe('precise');
    expect(pattern.detail).toEqual({ eventSource: ['iam.amazonaws.com'], eventName: ['CreateUser', 'DeleteUser'] });
    expect(pattern.source).toEqual(['aws.iam']);
  });

  it('merges `or` of the same field written as separate clauses', () => {
    const { pattern } = compile('event.provider: ec2.amazonaws.com and (event.action: A or event.action: B)');
    expect(pattern.detail).toEqual({ eventSource: ['ec2.amazonaws.com'], eventName: ['A', 'B'] });
  });

  it('uses $or for alternatives over different fields', () => {
    const { pattern, precision } = compile('event.provider: iam.amazonaws.com and (event.action: CreateUser or user_agent.original: *Terraform*)');
    expect(precision).toBe('precise');
    expect(pattern.detail).toEqual({
      eventSource: ['iam.amazonaws.com'],
      $or: [{ eventName: ['CreateUser'] }, { userAgent: [{ wildcard: '*Terraform*' }] }],
    });
  });

  it('keeps the intersection when a field is constrained twice', () => {
    const { pattern } = compile('event.action: (A or B or C) and event.action: (B or C or D) and event.provider: x.amazonaws.com');
    expect((pattern.detail as Record<string, unknown>).eventName).toEqual(['B', 'C']);
  });

  it('omits source, with a note, for providers whose EventBridge source is not verified', () => {
    const { pattern, notes } = compile('event.provider: monitoring.amazonaws.com and event.action: DeleteAlarms');
    expect(pattern).not.toHaveProperty('source');
    expect(notes.join(' ')).toMatch(/source is left out.*monitoring\.amazonaws\.com/);
  });

  it('adds the console sign-in detail-types when a sign-in event could match', () => {
    expect(compile('event.provider: signin.amazonaws.com and event.action: ConsoleLogin').pattern['detail-type']).toEqual(SIGN_IN_TYPES);
    expect(compile('event.action: ConsoleLogin').pattern['detail-type']).toEqual(SIGN_IN_TYPES);
  });
});

describe('compileEventPattern: wildcards', () => {
  it.each([
    ['Put*', { prefix: 'Put' }],
    ['*Policy', { suffix: 'Policy' }],
    ['Put*Policy', { wildcard: 'Put*Policy' }],
    ['*Bucket*', { wildcard: '*Bucket*' }],
    ['Put**', { prefix: 'Put' }],
  ])('event.action: %s', (value, matcher) => {
    const { pattern, precision } = compile(`event.provider: s3.amazonaws.com and event.action: ${value}`);
    expect(precision).toBe('precise');
    expect((pattern.detail as Record<string, unknown>).eventName).toEqual([matcher]);
  });

  it('escapes * and \\ from the query as EventBridge wildcard literals', () => {
    const { pattern } = compile('aws.cloudtrail.user_identity.arn: *\\:i-* and event.provider: sts.amazonaws.com');
    expect(pattern.detail).toMatchObject({ userIdentity: { arn: [{ wildcard: '*:i-*' }] } });
    const star = compile('user_agent.original: a\\*b*c and event.provider: sts.amazonaws.com');
    expect(star.pattern.detail).toMatchObject({ userAgent: [{ wildcard: 'a\\*b*c' }] });
  });

  it('turns a lone * into an exists check', () => {
    const { pattern } = compile('event.provider: sts.amazonaws.com and aws.cloudtrail.user_identity.invoked_by: *');
    expect(pattern.detail).toMatchObject({ userIdentity: { invokedBy: [{ exists: true }] } });
  });
});

describe('compileEventPattern: negation and outcome', () => {
  it('drops a negated condition on an optional field, soundly, and says so', () => {
    const { pattern, precision, notes } = compile('event.provider: s3.amazonaws.com and event.action: PutBucketAcl and not user_agent.original: *Terraform*');
    expect(precision).toBe('partial');
    expect(pattern.detail).toEqual({ eventSource: ['s3.amazonaws.com'], eventName: ['PutBucketAcl'] });
    expect(notes).toEqual([expect.stringMatching(/^not user_agent\.original: \*Terraform\* is not expressed/)]);
  });

  it('uses anything-but on eventName, which every record has', () => {
    const { pattern, precision } = compile('event.provider: iam.amazonaws.com and not event.action: (GetUser or ListUsers)');
    expect(precision).toBe('precise');
    expect(pattern.detail).toEqual({ eventSource: ['iam.amazonaws.com'], eventName: [{ 'anything-but': ['GetUser', 'ListUsers'] }] });
  });

  it('subtracts excluded values from a value list', () => {
    const { pattern } = compile('event.provider: iam.amazonaws.com and event.action: (A or B) and not event.action: A');
    expect((pattern.detail as Record<string, unknown>).eventName).toEqual(['B']);
  });

  it('expresses failure as errorCode or errorMessage present', () => {
    const { pattern, precision } = compile('event.provider: ec2.amazonaws.com and event.action: CreateInstanceExportTask and event.outcome: failure');
    expect(precision).toBe('precise');
    expect(pattern.detail).toEqual({
      eventSource: ['ec2.amazonaws.com'],
      eventName: ['CreateInstanceExportTask'],
      $or: [{ errorCode: [{ exists: true }] }, { errorMessage: [{ exists: true }] }],
    });
  });

  it('never filters ConsoleLogin on error fields (its outcome comes from responseElements)', () => {
    const { pattern } = compile('event.provider: signin.amazonaws.com and event.action: ConsoleLogin and event.outcome: success');
    expect(pattern.detail).toEqual({ eventSource: ['signin.amazonaws.com'], eventName: ['ConsoleLogin'] });
  });

  it('is broad for a query it cannot narrow at all', () => {
    const result = compile('source.as.organization.name: "Example ISP"');
    expect(result.precision).toBe('broad');
    expect(result.pattern).toEqual({ 'detail-type': SIGN_IN_TYPES });
  });
});

describe('compileEventPattern: soundness on generated deliveries', () => {
  it.each([
    'event.provider: iam.amazonaws.com and event.outcome: success',
    'event.provider: (iam.amazonaws.com or sts.amazonaws.com) and (event.action: Create* or user_agent.original: *Terraform*)',
    'event.action: (ConsoleLogin or CreateUser) and not event.outcome: failure',
    'not (event.action: ConsoleLogin and event.outcome: success) and event.provider: signin.amazonaws.com',
    'aws.cloudtrail.user_identity.type: (Root or AssumedRole) and not aws.cloudtrail.user_identity.invoked_by: *',
  ])('%s', (query) => {
    assertPatternIsSound(query);
  });
});

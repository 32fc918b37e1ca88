/**
 * EventBridge patterns for EQL rules (compileEqlEventPattern): the case-insensitive matchers, what they render to,
 * how they combine with other conditions, and soundness on random EQL conditions over CloudTrail fields.
 */
import fc from 'fast-check';
import { normalizeCloudTrail } from '../../../src/engine/ecs';
import { compileEventFilter, parseEql } from '../../../src/engine/eql';
import { compileEqlEventPattern } from '../../../src/engine/eventbridge';
import { intersectConditions, matcherAccepts, renderMatcher, type FieldMatcher } from '../../../src/engine/eventbridge/field-condition';
import { matchesEventPattern } from '../../support/eventbridge-matcher';
import { cloudTrailDeliveryArbitrary, envelopeFor } from './cloudtrail-event-arbitrary';

describe('case-insensitive matchers', () => {
  test.each<[FieldMatcher, unknown]>([
    [{ kind: 'equalsIgnoreCase', value: 'InvokeModel' }, { 'equals-ignore-case': 'InvokeModel' }],
    [{ kind: 'prefixIgnoreCase', value: 'AddPermission' }, { prefix: { 'equals-ignore-case': 'AddPermission' } }],
    [{ kind: 'suffixIgnoreCase', value: 'Config' }, { suffix: { 'equals-ignore-case': 'Config' } }],
  ])('%j renders as %j and accepts what EventBridge accepts', (matcher, rendered) => {
    expect(renderMatcher(matcher)).toEqual(rendered);
    for (const value of ['InvokeModel', 'invokemodel', 'ADDPERMISSION20150331v2', 'UpdateFunctionUrlConfig', 'other']) {
      expect(matcherAccepts(matcher, value)).toBe(matchesEventPattern({ detail: { eventName: [rendered] } }, { detail: { eventName: value } }));
    }
  });

  test('intersect soundly with exact values, prefixes and anything-but', () => {
    const prefix: FieldMatcher = { kind: 'prefixIgnoreCase', value: 'AddPermission' };
    expect(intersectConditions([prefix], [{ kind: 'equals', value: 'AddPermission20150331v2' }])).toEqual({ matchers: [{ kind: 'equals', value: 'AddPermission20150331v2' }], exact: true });
    expect(intersectConditions([prefix], [{ kind: 'equals', value: 'ConsoleLogin' }])).toEqual({ matchers: [], exact: true });
    expect(intersectConditions([prefix], [{ kind: 'anythingBut', values: ['ConsoleLogin'] }])).toEqual({ matchers: [prefix], exact: true });
    expect(intersectConditions([prefix], [{ kind: 'anythingBut', values: ['addpermission'] }])).toEqual({ matchers: [prefix], exact: false });
    expect(intersectConditions([prefix], [{ kind: 'prefix', value: 'Add' }])).toEqual({ matchers: [prefix], exact: false });
  });
});

describe('compileEqlEventPattern', () => {
  test('`:` on event.action becomes an ignore-case prefix, next to the exact conditions', () => {
    const { pattern, precision } = compileEqlEventPattern(
      parseEql('any where event.provider == "lambda.amazonaws.com" and event.outcome == "success" and event.action : "AddPermission*"'),
    );
    expect(pattern).toEqual({
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: { eventSource: ['lambda.amazonaws.com'], eventName: [{ prefix: { 'equals-ignore-case': 'AddPermission' } }], errorCode: [{ exists: false }, null, '', '-', 'none'] },
    });
    expect(precision).toBe('precise');
  });

  test('a sequence lets through each of its stages', () => {
    const { pattern } = compileEqlEventPattern(
      parseEql('sequence by user.id with maxspan=15m [any where event.action == "ListFoundationModels"] [any where event.action : ("InvokeModel", "Converse")]'),
    );
    expect(pattern.detail).toEqual({ eventName: ['ListFoundationModels', { 'equals-ignore-case': 'InvokeModel' }, { 'equals-ignore-case': 'Converse' }] });
  });

  test('what it cannot express is let through and said so', () => {
    const { pattern, precision, notes } = compileEqlEventPattern(parseEql('any where event.provider == "s3.amazonaws.com" and not user_agent.original : "*terraform*"'));
    expect(pattern.detail).toEqual({ eventSource: ['s3.amazonaws.com'] });
    expect(precision).toBe('partial');
    expect(notes).toContain('user_agent.original : is not expressed exactly (case-insensitive, a ? wildcard or a computed value)');
  });

  test('ignore-case matchers are kept to eventSource and eventName with ASCII text', () => {
    expect(compileEqlEventPattern(parseEql('any where user_agent.original : "Terraform*"')).pattern.detail).toBeUndefined();
    expect(compileEqlEventPattern(parseEql('any where event.action : "Créer*"')).pattern.detail).toBeUndefined();
  });
});

/** EQL terms over the CloudTrail fields the pattern compiler maps, with the arbitrary's own values in any case. */
const termArbitrary = fc.oneof(
  fc.tuple(fc.constantFrom('event.action', 'event.provider'), fc.constantFrom(':', 'like~', 'like', 'in~', '==', '!=', 'in', 'not in')).chain(([field, operator]) => {
    const values = field === 'event.action' ? ['ConsoleLogin', 'createuser', 'CreateUser', 'DELETETRAIL', 'Create*', '*Trail', 'start*task', 'C?nsoleLogin'] : ['rds.amazonaws.com', 'IAM.amazonaws.com', '*.amazonaws.com', 'signin*'];
    const value = fc.constantFrom(...values).map((text) => JSON.stringify(text));
    if (operator.includes('in')) return fc.array(value, { minLength: 1, maxLength: 3 }).map((list) => `${field} ${operator} (${list.join(', ')})`);
    return value.map((text) => `${field} ${operator} ${text}`);
  }),
  fc.tuple(fc.constantFrom('startsWith~', 'endsWith~', 'startsWith', 'stringContains~'), fc.constantFrom('event.action', 'event.provider', 'user_agent.original'), fc.constantFrom('"create"', '"TRAIL"', '"aws-cli"', '"ConsoleLogin"')).map(
    ([name, field, text]) => `${name}(${field}, ${text})`,
  ),
  fc.constantFrom('event.outcome == "success"', 'event.outcome == "failure"', 'aws.cloudtrail.user_identity.type : "iamuser"', 'user_agent.original : "*terraform*"'),
);
const conditionArbitrary: fc.Arbitrary<string> = fc.letrec<{ condition: string }>((tie) => ({
  condition: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    termArbitrary,
    fc.tuple(tie('condition'), fc.constantFrom('and', 'or'), tie('condition')).map(([a, operator, b]) => `(${a}) ${operator} (${b})`),
    tie('condition').map((inner) => `not (${inner})`),
  ),
})).condition;

const caseVariant = fc.constantFrom((text: string) => text, (text: string) => text.toLowerCase(), (text: string) => text.toUpperCase());

describe('compileEqlEventPattern is sound', () => {
  test('every CloudTrail event a random EQL condition matches passes its pattern', () => {
    let queryMatches = 0;
    fc.assert(
      fc.property(conditionArbitrary, fc.array(fc.tuple(cloudTrailDeliveryArbitrary(), caseVariant), { minLength: 1, maxLength: 6 }), (condition, deliveries) => {
        const query = parseEql(`any where ${condition}`);
        if (query.kind !== 'event') return true;
        const matches = compileEventFilter(query.filter);
        const { pattern } = compileEqlEventPattern(query);
        return deliveries.every(([{ record }, variant]) => {
          const varied = { ...record, eventName: variant(record.eventName as string) };
          if (!matches(normalizeCloudTrail(varied, { receivedAt: new Date('2024-10-10T15:18:00Z') }))) return true;
          queryMatches += 1;
          return matchesEventPattern(pattern, envelopeFor(varied));
        });
      }),
      { numRuns: 600, seed: 20261120 },
    );
    expect(queryMatches).toBeGreaterThan(300);
  });
});

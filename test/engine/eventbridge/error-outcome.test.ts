import fc from 'fast-check';
import { normalizeCloudTrail } from '../../../src/engine/ecs';
import { compileEventPattern } from '../../../src/engine/eventbridge';
import { parseKql } from '../../../src/engine/kql';
import { startExportTaskRecord } from '../../support/cloudtrail-records';
import { matchesEventPattern } from '../../support/eventbridge-matcher';

/**
 * One meaning of "success" (issue 10, case 7): for every shape of errorCode / errorMessage, the compiled EventBridge
 * pre-filter lets through every record the normalizer calls a success (or a failure), so the Lambda is invoked for
 * every record `scan` alerts on. For errorCode alone, the success pattern is exact: it matches exactly the successes.
 */
const PROVIDER_AND_ACTION = 'event.provider: rds.amazonaws.com and event.action: StartExportTask';
const SUCCESS_PATTERN = compileEventPattern(parseKql(`${PROVIDER_AND_ACTION} and event.outcome: success`)).pattern;
const FAILURE_PATTERN = compileEventPattern(parseKql(`${PROVIDER_AND_ACTION} and event.outcome: failure`)).pattern;

const ABSENT = Symbol('absent');

/** Values an error field may hold: what null removal erases, whitespace, look-alikes, real codes, other JSON types. */
const scalarArbitrary = fc.oneof(
  fc.constantFrom<unknown>(null, '', '-', 'none', ' ', '\t', '\n', ' - ', 'None', 'NONE', 'null', '0', 0, 1, -1, 0.5, true, false),
  fc.constantFrom('AccessDenied', 'DBSnapshotNotFound', 'Client.UnauthorizedOperation', 'ThrottlingException'),
  fc.string({ maxLength: 6 }),
);
const errorValueArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.oneof(fc.constant(ABSENT), scalarArbitrary) },
  { weight: 1, arbitrary: fc.array(scalarArbitrary, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(fc.array(scalarArbitrary, { maxLength: 2 }), { maxLength: 2 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('code', 'a'), scalarArbitrary, { maxKeys: 2 }) },
);

function delivery(errorCode: unknown, errorMessage: unknown) {
  const record: Record<string, unknown> = startExportTaskRecord();
  if (errorCode !== ABSENT) record.errorCode = errorCode;
  if (errorMessage !== ABSENT) record.errorMessage = errorMessage;
  const envelope = {
    version: '0',
    id: 'envelope-1',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.rds',
    account: '123456789012',
    time: '2026-11-20T03:15:42Z',
    region: 'us-east-1',
    resources: [],
    detail: record,
  };
  const document = normalizeCloudTrail(record, { receivedAt: new Date('2026-11-20T03:16:00Z') }) as unknown as { event: { outcome: string } };
  const outcome = document.event.outcome;
  return { envelope, outcome };
}

describe('EventBridge pattern and normalizer agree on success (issue 10, case 7)', () => {
  it.each([
    ['null', null],
    ['an empty string', ''],
    ['"-"', '-'],
    ['"none"', 'none'],
  ])('invokes the function for a success whose errorCode is %s', (_name, errorCode) => {
    const { envelope, outcome } = delivery(errorCode, ABSENT);
    expect(outcome).toBe('success');
    expect(matchesEventPattern(SUCCESS_PATTERN, envelope)).toBe(true);
  });

  it('lets through every success and every failure, over generated errorCode and errorMessage shapes', () => {
    fc.assert(
      fc.property(errorValueArbitrary, errorValueArbitrary, (errorCode, errorMessage) => {
        const { envelope, outcome } = delivery(errorCode, errorMessage);
        if (outcome === 'success') return matchesEventPattern(SUCCESS_PATTERN, envelope);
        return outcome === 'failure' && matchesEventPattern(FAILURE_PATTERN, envelope);
      }),
      { numRuns: 3000, seed: 10_7 },
    );
  });

  it('matches exactly the successes when only errorCode varies, as a scalar or an object', () => {
    // (An array is a success only if all its elements are erased; EventBridge matches if any one is: wider, still sound.)
    const scalarOrObject = fc.oneof(fc.constant<unknown>(ABSENT), scalarArbitrary, fc.dictionary(fc.constantFrom('code', 'a'), scalarArbitrary, { maxKeys: 2 }));
    fc.assert(
      fc.property(scalarOrObject, (errorCode) => {
        const { envelope, outcome } = delivery(errorCode, ABSENT);
        return matchesEventPattern(SUCCESS_PATTERN, envelope) === (outcome === 'success');
      }),
      { numRuns: 3000, seed: 10_7 },
    );
  });
});

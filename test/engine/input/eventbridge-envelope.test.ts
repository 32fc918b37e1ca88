import fc from 'fast-check';
import { InvalidEventError, unwrapEventBridgeEvent } from '../../../src/engine/input/eventbridge-envelope';

const ENVELOPE = {
  version: '0',
  id: '6f2f5a4e-3c1b-4d0e-9a8f-1b2c3d4e5f60',
  'detail-type': 'AWS API Call via CloudTrail',
  source: 'aws.rds',
  account: '111122223333',
  time: '2026-11-20T03:24:11Z',
  region: 'us-east-1',
  resources: [],
};

describe('unwrapEventBridgeEvent', () => {
  it('returns the CloudTrail record and the envelope metadata', () => {
    const detail = { eventVersion: '1.09', eventName: 'StartExportTask' };

    const { record, envelope } = unwrapEventBridgeEvent({ ...ENVELOPE, detail });

    expect(record).toBe(detail);
    expect(envelope).toEqual({
      id: ENVELOPE.id,
      account: '111122223333',
      region: 'us-east-1',
      time: '2026-11-20T03:24:11Z',
      source: 'aws.rds',
      detailType: 'AWS API Call via CloudTrail',
    });
  });

  it('leaves out envelope fields that are missing or not strings', () => {
    const { envelope } = unwrapEventBridgeEvent({ id: 'abc', region: 42, account: '', detail: {} });

    expect(envelope).toEqual({ id: 'abc' });
  });

  it.each([
    ['missing', undefined, 'undefined'],
    ['null', null, 'null'],
    ['a string', '{"eventName":"StartExportTask"}', 'string'],
    ['an array', [{ eventName: 'StartExportTask' }], 'an array'],
    ['a number', 7, 'number'],
  ])('rejects a detail that is %s, naming the envelope id', (_label, detail, described) => {
    const unwrap = () => unwrapEventBridgeEvent({ ...ENVELOPE, detail });

    expect(unwrap).toThrow(InvalidEventError);
    expect(unwrap).toThrow(`EventBridge event ${ENVELOPE.id} has no CloudTrail record: detail must be an object, got ${described}`);
    try {
      unwrap();
    } catch (error) {
      expect((error as InvalidEventError).envelopeId).toBe(ENVELOPE.id);
      expect((error as InvalidEventError).name).toBe('InvalidEventError');
    }
  });

  it.each([null, undefined, 'text', 3, []])('rejects an event that is not an object (%p)', (event) => {
    expect(() => unwrapEventBridgeEvent(event)).toThrow(InvalidEventError);
  });

  it('says so when the envelope has no id', () => {
    expect(() => unwrapEventBridgeEvent({ detail: 'x' })).toThrow('EventBridge event (without id) has no CloudTrail record');
  });

  it('never throws anything but InvalidEventError, whatever arrives', () => {
    fc.assert(
      fc.property(fc.anything(), (event) => {
        try {
          const { record } = unwrapEventBridgeEvent(event);
          expect(record).toBe((event as { detail: unknown }).detail);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidEventError);
        }
      }),
    );
  });
});

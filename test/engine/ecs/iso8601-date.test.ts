import { parseIso8601, parseSessionCreationDate } from '../../../src/engine/ecs/iso8601-date';

describe('parseIso8601', () => {
  test.each([
    ['2019-10-02T22:12:29Z', '2019-10-02T22:12:29.000Z'],
    ['2019-10-02T22:12:29.123456789Z', '2019-10-02T22:12:29.123Z'],
    ['2019-10-02T22:12:29+02:00', '2019-10-02T20:12:29.000Z'],
    ['2019-10-02T22:12:29-0130', '2019-10-02T23:42:29.000Z'],
    ['2019-10-02T22:12', '2019-10-02T22:12:00.000Z'],
    ['2019-10-02', '2019-10-02T00:00:00.000Z'],
  ])('%s → %s', (text, iso) => {
    expect(parseIso8601(text)).toBe(iso);
  });

  test.each(['', 'yesterday', '2019-02-30T00:00:00Z', '2019-10-02T25:00:00Z', '20131102T010628Z', '2019-10-02 22:12:29'])(
    'rejects %j',
    (text) => {
      expect(parseIso8601(text)).toBeUndefined();
    },
  );
});

describe('parseSessionCreationDate', () => {
  test('accepts the basic formats as well', () => {
    expect(parseSessionCreationDate('20131102T010628Z')).toBe('2013-11-02T01:06:28.000Z');
    expect(parseSessionCreationDate('20131102T010628.5Z')).toBe('2013-11-02T01:06:28.500Z');
    expect(parseSessionCreationDate('2016-11-14T17:25:26Z')).toBe('2016-11-14T17:25:26.000Z');
  });
});

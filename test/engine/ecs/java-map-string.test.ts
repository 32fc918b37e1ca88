import { javaHashMapOrder, javaStringHashCode } from '../../../src/engine/ecs/java-hash-map';
import { toJavaString } from '../../../src/engine/ecs/java-map-string';
import { formatJavaNumber } from '../../../src/engine/ecs/json-values';
import { removeEmptyValues } from '../../../src/engine/ecs/null-removal';

describe('javaStringHashCode', () => {
  test.each([
    ['', 0],
    ['hello', 99162322],
    ['Aa', 2112],
    ['BB', 2112],
  ])('%j hashes like String.hashCode()', (text, hash) => {
    expect(javaStringHashCode(text)).toBe(hash);
  });

  test('overflows like a 32-bit int', () => {
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648);
  });
});

describe('javaHashMapOrder', () => {
  test('orders keys by bucket, not by insertion', () => {
    expect(javaHashMapOrder(['roleArn', 'roleSessionName', 'durationSeconds'])).toEqual([
      'durationSeconds',
      'roleArn',
      'roleSessionName',
    ]);
  });

  test('keeps insertion order among colliding keys', () => {
    expect(javaHashMapOrder(['BB', 'Aa'])).toEqual(['BB', 'Aa']);
    expect(javaHashMapOrder(['Aa', 'BB'])).toEqual(['Aa', 'BB']);
  });

  test('keys removed after insertion still count for the table size', () => {
    const inserted = Array.from({ length: 13 }, (_, index) => `key${index}`);
    const survivors = ['key1', 'key12'];
    // 13 insertions grow the table to 32, which can separate keys that share a bucket of 16.
    expect(javaHashMapOrder(survivors, inserted)).toEqual(javaHashMapOrder(inserted).filter((key) => survivors.includes(key)));
  });
});

describe('toJavaString', () => {
  test('renders nested maps and lists like AbstractMap/AbstractCollection.toString()', () => {
    expect(toJavaString({ roleArn: 'arn:a', roleSessionName: 's', durationSeconds: 3600 })).toBe(
      '{durationSeconds=3600, roleArn=arn:a, roleSessionName=s}',
    );
    expect(toJavaString({ items: [{ a: true }, 'x', 1.5] })).toBe('{items=[{a=true}, x, 1.5]}');
    expect(toJavaString('plain')).toBe('plain');
  });

  test('matches a pipeline output with a removed empty value', () => {
    const cleaned = removeEmptyValues(
      {
        timestamp: 't',
        user: { userId: 14, orgId: 1, orgRole: 'Editor', name: 'n', isAnonymous: false },
        action: 'action',
        requestUri: '',
        result: { statusType: 'success', statusCode: '200' },
      },
      true,
    );
    expect(toJavaString(cleaned)).toBe(
      '{result={statusType=success, statusCode=200}, action=action, user={isAnonymous=false, orgRole=Editor, name=n, userId=14, orgId=1}, timestamp=t}',
    );
  });
});

describe('formatJavaNumber', () => {
  test.each([
    [3600, '3600'],
    [1726046908000, '1726046908000'],
    [-0, '0'],
    [1.5, '1.5'],
    [0.001, '0.001'],
    [0.0001, '1.0E-4'],
    [1.5e-5, '1.5E-5'],
    [12345678.9, '1.23456789E7'],
    [1e300, '1.0E300'],
  ])('%p → %s', (value, text) => {
    expect(formatJavaNumber(value)).toBe(text);
  });
});

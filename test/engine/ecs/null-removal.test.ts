import { removeEmptyValues } from '../../../src/engine/ecs/null-removal';

describe('removeEmptyValues (first null-removal pass)', () => {
  test('drops null, "", "-", "none" and containers left empty, recursively', () => {
    const input = {
      keep: 'value',
      dash: '-',
      none: 'None is kept, none is not',
      word: 'none',
      empty: '',
      nothing: null,
      zero: 0,
      no: false,
      nested: { inner: { gone: '-' }, list: [null, '', 'a', {}, []] },
      emptyList: [],
    };
    expect(removeEmptyValues(input)).toEqual({
      keep: 'value',
      none: 'None is kept, none is not',
      zero: 0,
      no: false,
      nested: { list: ['a'] },
    });
  });

  test('never mutates its input', () => {
    const input = { a: '-', b: { c: null } };
    removeEmptyValues(input);
    expect(input).toEqual({ a: '-', b: { c: null } });
  });

  test('cuts structures nested beyond the depth limit instead of overflowing the stack', () => {
    let deep: unknown = 'leaf';
    for (let level = 0; level < 20000; level++) deep = { next: deep };
    expect(() => removeEmptyValues(deep)).not.toThrow();
  });
});

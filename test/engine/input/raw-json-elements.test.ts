import fc from 'fast-check';
import { rawArrayElements, rawMemberArrayElements } from '../../../src/engine/input/raw-json-elements';

describe('raw JSON element slices', () => {
  it('cuts out each element of a top-level array exactly as written', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), fc.constantFrom(undefined, 1, '\t'), (elements, indent) => {
        const text = JSON.stringify(elements, null, indent);
        const raw = rawArrayElements(text);
        expect(raw?.map((slice) => JSON.parse(slice))).toEqual(JSON.parse(text));
        for (const slice of raw ?? []) expect(text).toContain(slice);
      }),
    );
  });

  it('finds the array under a key of a top-level object, last occurrence winning', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.array(fc.jsonValue()), (others, records) => {
        const text = JSON.stringify({ ...others, Records: records }, null, 2);
        expect(rawMemberArrayElements(text, 'Records')?.map((slice) => JSON.parse(slice))).toEqual(JSON.parse(JSON.stringify(records)));
      }),
    );
    expect(rawMemberArrayElements('{"Records":[1],"x":{"Records":[9]},"Records":[ 2 , 3 ]}', 'Records')).toEqual(['2', '3']);
    expect(rawMemberArrayElements('{"R\\u0065cords":[1]}', 'Records')).toEqual(['1']);
  });

  it('answers undefined for other shapes', () => {
    expect(rawArrayElements('{"a":1}')).toBeUndefined();
    expect(rawMemberArrayElements('[1]', 'Records')).toBeUndefined();
    expect(rawMemberArrayElements('{"Records":5}', 'Records')).toBeUndefined();
    expect(rawMemberArrayElements('{"other":[1]}', 'Records')).toBeUndefined();
  });
});

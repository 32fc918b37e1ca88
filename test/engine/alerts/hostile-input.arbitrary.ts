import fc from 'fast-check';

/**
 * Values an attacker can put in a CloudTrail record (snapshot names, session names, user agents, tags...), and
 * the wrong types a broken or forged producer could send where strings are expected.
 */
const HOSTILE_PIECES = [
  '\r\n', '\n', '\r', '\t', '\u0000', '\u0007', '\u001b[31m', '\u007f', '\u0085', '\u009b',
  '\u202e', '\u202d', '\u2066', '\u2067', '\u2068', '\u2069', '\u200b', '\u200f', '\u2028', '\u2029', '\ufeff',
  '😀', '👩‍👩‍👧‍👦', '🏳️‍🌈', '\ud83d', '\ude00', 'é', 'ß', '中文', 'ﷺ', 'Subject: injected', '"}', '\\', '${x}', '<script>', '%0d%0a',
];

/** Short strings stitched from control characters, bidi overrides, emoji, lone surrogates and ordinary text. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.array(fc.oneof(fc.constantFrom(...HOSTILE_PIECES), fc.string({ maxLength: 8 })), { maxLength: 12 }).map((pieces) => pieces.join('')),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

/** 100 KB and more of one hostile piece or of plain text: what drives the size limits. */
export const hugeText: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('x', 'é', '😀', '\u202e', '\r\n', '"', 'arn:aws:rds:us-east-1:1:snapshot:a/'), fc.integer({ min: 100 * 1024, max: 160 * 1024 }))
  .map(([piece, length]) => piece.repeat(Math.ceil(length / piece.length)));

/** `{a:{a:{...}}}` nested deeper than any sane record. */
export const deeplyNested: fc.Arbitrary<unknown> = fc
  .tuple(fc.integer({ min: 50, max: 400 }), hostileText)
  .map(([depth, leaf]) => {
    let value: unknown = leaf;
    for (let level = 0; level < depth; level++) value = level % 3 === 0 ? [value] : { a: value };
    return value;
  });

/** Where a string is expected: sometimes a string, sometimes anything JSON can hold (so no NaN or Infinity: JSON.parse never yields them). */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileText },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: deeplyNested },
);

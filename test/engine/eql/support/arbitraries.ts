/**
 * Random EQL conditions (as query text, so the parser is exercised too) and random documents built from the same
 * small vocabulary of fields and values, so that a good share of conditions hold on a good share of documents.
 * Values are chosen to hit the edges: case variants, numeric strings, wildcard characters, backslashes, IP
 * addresses, arrays, missing fields, nulls, objects and literal dotted keys.
 */
import fc from 'fast-check';

export const FIELDS = ['a', 'b', 'c.d', 'tags', 'n', 'flag'] as const;

const TEXT_VALUES = ['Foo', 'foo', 'FOO', 'foobar', 'bar', '', '1234', '1234.0', '10.1.2.3', 'a*b', 'a?b', 'C:\\Windows\\x.exe', 'true', 'x y'];
const NUMBER_VALUES = [0, 1, -1, 1234, 2.5];

/** A JSON value a field may hold. */
const fieldValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...TEXT_VALUES) },
  { weight: 2, arbitrary: fc.constantFrom(...NUMBER_VALUES) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.array(fc.oneof(fc.constantFrom(...TEXT_VALUES), fc.constantFrom(...NUMBER_VALUES), fc.constant(null)), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.record({ inner: fc.constantFrom(...TEXT_VALUES) }) },
);

export const documentArbitrary: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      a: fieldValue,
      b: fieldValue,
      c: fc.oneof(fc.record({ d: fieldValue }), fc.array(fc.record({ d: fieldValue }), { maxLength: 2 })),
      tags: fieldValue,
      n: fieldValue,
      flag: fieldValue,
      'event.category': fc.constantFrom('process', ['process', 'file'], 'file', 'iam'),
    },
    { requiredKeys: [] },
  )
  .map((document) => {
    // Sometimes `c.d` is written as a literal dotted key, which Elasticsearch indexes as the same field.
    if (document.c && !Array.isArray(document.c) && Object.keys(document).length % 2 === 0) {
      const { c, ...rest } = document;
      return { ...rest, 'c.d': (c as { d: unknown }).d };
    }
    return document;
  });

const quoted = (text: string) => JSON.stringify(text);
const constant = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...TEXT_VALUES, 'fo*', '*oo*', '*bar', 'f?o', '*', '10.0.0.0/8', 'Fo*Bar').map(quoted) },
  { weight: 2, arbitrary: fc.constantFrom(...NUMBER_VALUES).map((value) => (Number.isInteger(value) ? String(value) : value.toFixed(1))) },
  { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null') },
);
const stringConstant = fc.constantFrom(...TEXT_VALUES, 'fo*', '*oo*', 'f?o', '*', 'Fo*Bar', 'oo', 'a\\\\*b').map(quoted);
const field = fc.constantFrom(...FIELDS);
const list = (item: fc.Arbitrary<string>) => fc.array(item, { minLength: 1, maxLength: 3 }).map((items) => items.join(', '));

/** One term of a condition: what a rule writes between `and`/`or`. */
export const termArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(field, fc.constantFrom('==', '!=', '<', '<=', '>', '>='), constant).map(([f, operator, value]) => `${f} ${operator} ${value}`),
  fc.tuple(constant, fc.constantFrom('==', '<', '>='), field).map(([value, operator, f]) => `${value} ${operator} ${f}`),
  fc.tuple(field, fc.constantFrom(':', 'like', 'like~'), list(stringConstant)).map(([f, operator, values]) => `${f} ${operator} (${values})`),
  fc.tuple(field, stringConstant).map(([f, value]) => `${f} : ${value}`),
  fc.tuple(field, fc.constantFrom('regex', 'regex~'), fc.constantFrom('"fo.*"', '"[a-z]+"', '".*?bar.*?"', '"1234(\\\\.0)?"')).map(([f, operator, value]) => `${f} ${operator} ${value}`),
  fc.tuple(field, fc.constantFrom('in', 'not in', 'in~', 'not in~'), list(constant)).map(([f, operator, values]) => `${f} ${operator} (${values})`),
  fc
    .tuple(fc.constantFrom('stringContains', 'stringContains~', 'startsWith', 'startsWith~', 'endsWith', 'endsWith~'), field, stringConstant)
    .map(([name, f, value]) => `${name}(${f}, ${value})`),
  fc.tuple(field, fc.constantFrom('"10.0.0.0/8"', '"10.1.2.3"', '"::/0"')).map(([f, block]) => `cidrMatch(${f}, ${block})`),
  fc.tuple(field, fc.constantFrom('==', '!=')).map(([f, operator]) => `${f} ${operator} null`),
  fc.tuple(fc.constantFrom('length', 'string'), field, fc.constantFrom('> 3', ': "foo"', '== "1234"')).map(([name, f, test]) => `${name}(${f}) ${test}`),
  fc.tuple(field, field).map(([left, right]) => `stringContains(${left}, ${right})`),
  field.map((f) => `${f} + 1 > 2`),
  fc.constantFrom('?missing == null', '?a == "foo"', 'true', 'false'),
);

/** A condition: terms combined with `and`, `or`, `not` and parentheses. */
export const conditionArbitrary: fc.Arbitrary<string> = fc.letrec<{ condition: string }>((tie) => ({
  condition: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    termArbitrary,
    fc.tuple(tie('condition'), fc.constantFrom('and', 'or'), tie('condition')).map(([left, operator, right]) => `(${left}) ${operator} (${right})`),
    tie('condition').map((inner) => `not (${inner})`),
  ),
})).condition;

/** An event filter with an optional category. */
export const eventQueryArbitrary: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('any', 'process', 'file', 'iam'), conditionArbitrary)
  .map(([category, condition]) => `${category} where ${condition}`);

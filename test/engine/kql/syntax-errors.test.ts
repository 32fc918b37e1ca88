import { KqlSyntaxError, parseKql } from '../../../src/engine/kql';

function syntaxError(query: string): KqlSyntaxError {
  try {
    parseKql(query);
  } catch (error) {
    if (error instanceof KqlSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(query)} to be rejected`);
}

describe('KqlSyntaxError', () => {
  test('reports line, column, offset and what was expected', () => {
    const error = syntaxError('event.action:');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('KqlSyntaxError');
    expect(error).toMatchObject({ line: 1, column: 14, offset: 13 });
    expect(error.expected).toEqual(['"("', '"{"', 'value', 'whitespace']);
    expect(error.message).toBe("line 1, column 14: expected a value after ':' but found end of query");
  });

  test("expects exactly Kibana's tokens: a whitespace test first made inside a literal's keyword check stays silent", () => {
    // Kibana (peggy, cache on): Expected ":", "<", "<=", ">", ">=", AND, OR, or end of input but "n" found.
    const error = syntaxError('f:foo and bar or baz not qux');
    expect(error.offset).toBe(21);
    expect(error.expected).toEqual(['":"', '"<"', '"<="', '">"', '">="', 'AND', 'OR', 'end of input']);
    expect(error.message).toMatch(/^line 1, column 22: expected ':', a comparison \(<, <=, >, >=\), 'and', 'or' or end of query but found 'not'/);
  });

  test('positions count lines in multi-line rules', () => {
    const error = syntaxError('data_stream.dataset: aws.cloudtrail\n    and event.provider: (\n        "a" or\n    )');
    expect(error).toMatchObject({ line: 4, column: 5 });
    expect(error.message).toMatch(/^line 4, column 5: expected a value after 'or' but found '\)'/);
  });

  test.each([
    ['response:200 or ', 1, 17, /expected a field or value after 'or' but found end of query/],
    ['response:(200 or )', 1, 18, /expected a value after 'or' but found '\)'/],
    ['response:200 and not ', 1, 22, /after 'not' but found end of query/],
    ['foo:"ba ', 1, 5, /found '"'; this quoted string is never closed/],
    ['foo > ', 1, 7, /expected a value after '>' but found end of query/],
    ['a:b c:d', 1, 6, /expected 'and', 'or' or end of query but found ':'/],
    ['(a:b', 1, 5, /expected '\)', 'and' or 'or' but found end of query/],
    ['a:b)', 1, 4, /found '\)'; unbalanced/],
    ['not not a:1', 1, 5, /found 'not'; and\/or\/not are keywords/],
    ['msg:cannot find', 1, 8, /found 'not'/],
    ['a:b and(c:d)', 1, 8, /need whitespace on both sides/],
    ["field: foo\\'bar", 1, 11, /found '\\'; outside quotes the only escapes are/],
    ['field: foo<bar*', 1, 11, /found '<'; a '<' inside a value must be escaped/],
    ['not(a:b)', 1, 4, /expected ':', a comparison \(<, <=, >, >=\), 'and', 'or' or end of query but found '\('/],
    ['f: not x', 1, 4, /expected a value after ':' but found 'not'/],
  ])('%j', (query, line, column, message) => {
    const error = syntaxError(query);
    expect({ line: error.line, column: error.column }).toEqual({ line, column });
    expect(error.message).toMatch(message);
  });

  test('too deep nesting has its own explanation and position', () => {
    const error = syntaxError(`a:b and ${'('.repeat(300)}c:d`);
    expect(error.offset).toBe(8 + 128);
    expect(error.expected).toEqual([]);
    expect(error.message).toMatch(/^line 1, column 137: the query nests parentheses or braces more than 128 levels deep/);
  });

  test('non-string input is a TypeError', () => {
    expect(() => parseKql(undefined as unknown as string)).toThrow(TypeError);
  });
});

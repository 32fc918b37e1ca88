/**
 * EventBridge event-pattern matching, written from the EventBridge user guide ("Content filtering in event
 * patterns") and the aws/event-ruler README, so tests can check compiled patterns without AWS:
 * - a pattern object matches when every key matches; leaves are matcher lists, any of which may match;
 * - event arrays are flattened: a leaf matches if any element matches, and a nested pattern must match within
 *   one element (event-ruler's array-consistent matching);
 * - a missing field (or an object where a leaf is expected) matches only `{ exists: false }`;
 * - exact values compare with their JSON type (`"5"` is not `5`); prefix/suffix/wildcard/equals-ignore-case
 *   apply to strings, numeric to numbers; anything-but needs the field present;
 * - `$or` holds an array of two or more pattern objects, any of which may match.
 * Invalid patterns (e.g. `**` in a wildcard, unknown operators, non-array leaves) throw.
 */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  if (!isPlainObject(pattern)) throw new Error('an event pattern must be a JSON object');
  return matchObject(pattern, event);
}

type JsonObject = { [key: string]: unknown };

function matchObject(pattern: JsonObject, node: unknown): boolean {
  return Object.entries(pattern).every(([key, sub]) => {
    if (key === '$or') return matchOr(sub, node);
    const values = childValues(node, key);
    if (Array.isArray(sub)) return matchLeaf(sub, values);
    if (isPlainObject(sub)) {
      const objects = values.filter(isPlainObject);
      // With no object to descend into, the nested fields are all missing.
      return (objects.length > 0 ? objects : [{}]).some((child) => matchObject(sub, child));
    }
    throw new Error(`pattern field "${key}" must be an array or an object`);
  });
}

function matchOr(branches: unknown, node: unknown): boolean {
  if (!Array.isArray(branches) || branches.length < 2 || !branches.every(isPlainObject)) {
    throw new Error('"$or" must be an array of at least two pattern objects');
  }
  return branches.some((branch) => matchObject(branch as JsonObject, node));
}

/** The values at `key`, with arrays (at any depth) flattened into their elements. */
function childValues(node: unknown, key: string): unknown[] {
  if (!isPlainObject(node) || !(key in node)) return [];
  return flatten(node[key]);
}

function flatten(value: unknown): unknown[] {
  return Array.isArray(value) ? value.flatMap(flatten) : [value];
}

function matchLeaf(matchers: unknown[], values: unknown[]): boolean {
  if (matchers.length === 0) throw new Error('a matcher list must not be empty');
  matchers.forEach(validateMatcher);
  const leaves = values.filter((value) => !isPlainObject(value));
  if (leaves.length === 0) return matchers.some((matcher) => isPlainObject(matcher) && matcher.exists === false);
  return matchers.some((matcher) => leaves.some((value) => matchOne(matcher, value)));
}

function matchOne(matcher: unknown, value: unknown): boolean {
  if (!isPlainObject(matcher)) return sameJsonValue(matcher, value);
  const [operator, operand] = Object.entries(matcher)[0];
  switch (operator) {
    case 'exists':
      return operand === true;
    case 'prefix':
      return stringTest(operand, value, (text, expected) => text.startsWith(expected));
    case 'suffix':
      return stringTest(operand, value, (text, expected) => text.endsWith(expected));
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === String(operand).toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && wildcardToRegExp(operand as string).test(value);
    case 'numeric':
      return typeof value === 'number' && numericTest(operand as unknown[], value);
    case 'cidr':
      return typeof value === 'string' && cidrContains(operand as string, value);
    case 'anything-but':
      return anythingBut(operand, value);
    default:
      throw new Error(`unknown operator "${operator}"`);
  }
}

/** `{prefix: "x"}` or `{prefix: {"equals-ignore-case": "x"}}`. */
function stringTest(operand: unknown, value: unknown, test: (text: string, expected: string) => boolean): boolean {
  if (typeof value !== 'string') return false;
  if (isPlainObject(operand)) return test(value.toLowerCase(), String(operand['equals-ignore-case']).toLowerCase());
  return test(value, operand as string);
}

function anythingBut(operand: unknown, value: unknown): boolean {
  if (isPlainObject(operand)) {
    // anything-but {prefix|suffix|wildcard|equals-ignore-case}: the negation of that string filter.
    return typeof value === 'string' && !matchOne(operand, value);
  }
  const excluded = Array.isArray(operand) ? operand : [operand];
  return !excluded.some((item) => sameJsonValue(item, value));
}

function sameJsonValue(expected: unknown, actual: unknown): boolean {
  if (typeof expected === 'number' && typeof actual === 'number') return expected === actual;
  return expected === actual;
}

function numericTest(conditions: unknown[], value: number): boolean {
  for (let i = 0; i < conditions.length; i += 2) {
    const bound = conditions[i + 1] as number;
    const ok = { '=': value === bound, '<': value < bound, '<=': value <= bound, '>': value > bound, '>=': value >= bound }[
      conditions[i] as '=' | '<' | '<=' | '>' | '>='
    ];
    if (ok === undefined) throw new Error(`unknown numeric operator ${String(conditions[i])}`);
    if (!ok) return false;
  }
  return true;
}

function cidrContains(cidr: string, address: string): boolean {
  const [network, bits] = cidr.split('/');
  const toNumber = (ip: string) => ip.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(address)) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toNumber(address) / size) === Math.floor(toNumber(network) / size);
}

/** EventBridge wildcard: `*` any run (newlines too); `\*` and `\\` literal; `**` and other escapes invalid. */
export function wildcardToRegExp(pattern: string): RegExp {
  if (pattern.includes('**')) throw new Error(`consecutive wildcard characters are not allowed: ${pattern}`);
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const character = pattern[i];
    if (character === '\\') {
      const escaped = pattern[++i];
      if (escaped !== '*' && escaped !== '\\') throw new Error(`a backslash may only escape * or \\: ${pattern}`);
      source += `\\${escaped}`;
    } else if (character === '*') {
      source += '[\\s\\S]*';
    } else {
      source += character.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

function validateMatcher(matcher: unknown): void {
  if (Array.isArray(matcher)) throw new Error('nested arrays are not valid matchers');
  if (!isPlainObject(matcher)) return;
  const keys = Object.keys(matcher);
  if (keys.length !== 1) throw new Error(`a content filter has exactly one operator: ${JSON.stringify(matcher)}`);
  if (keys[0] === 'wildcard') wildcardToRegExp(matcher.wildcard as string);
  if (keys[0] === 'exists' && typeof matcher.exists !== 'boolean') throw new Error('exists takes true or false');
}

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Cuts the raw text of array elements out of a JSON text that JSON.parse has already accepted, so that a record keeps
 * AWS's own key order and spacing as `event.original` (Elastic's S3 input keeps each element's bytes unmodified).
 * Validity is a precondition: the scanner only tracks strings and nesting, and never reports syntax errors.
 */

/** Raw texts of the elements of a top-level array, or undefined when the text is not an array. */
export function rawArrayElements(text: string): string[] | undefined {
  const start = skipWhitespace(text, 0);
  return text[start] === '[' ? elementsOfArrayAt(text, start) : undefined;
}

/**
 * Raw texts of the elements of the array under `key` in a top-level object (the last occurrence of the key wins, as
 * in JSON.parse), or undefined when there is no such array.
 */
export function rawMemberArrayElements(text: string, key: string): string[] | undefined {
  let i = skipWhitespace(text, 0);
  if (text[i] !== '{') return undefined;
  let valueStart: number | undefined;
  i = skipWhitespace(text, i + 1);
  while (text[i] === '"') {
    const keyEnd = skipString(text, i);
    const name = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWhitespace(text, keyEnd);
    i = skipWhitespace(text, i + 1); // the colon
    if (name === key) valueStart = i;
    i = skipWhitespace(text, skipValue(text, i));
    if (text[i] === ',') i = skipWhitespace(text, i + 1);
  }
  return valueStart !== undefined && text[valueStart] === '[' ? elementsOfArrayAt(text, valueStart) : undefined;
}

function elementsOfArrayAt(text: string, open: number): string[] {
  const elements: string[] = [];
  let i = skipWhitespace(text, open + 1);
  while (i < text.length && text[i] !== ']') {
    const end = skipValue(text, i);
    elements.push(text.slice(i, end));
    i = skipWhitespace(text, end);
    if (text[i] === ',') i = skipWhitespace(text, i + 1);
  }
  return elements;
}

/** Index just after the value starting at `i`. */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    let j = i;
    while (j < text.length) {
      const d = text[j];
      if (d === '"') {
        j = skipString(text, j);
        continue;
      }
      if (d === '{' || d === '[') depth += 1;
      else if (d === '}' || d === ']') {
        depth -= 1;
        if (depth === 0) return j + 1;
      }
      j += 1;
    }
    return j;
  }
  let j = i;
  while (j < text.length && !',]} \t\r\n'.includes(text[j] as string)) j += 1;
  return j;
}

/** Index just after the closing quote of the string starting at `i`. */
function skipString(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === 0x5c) j += 2;
    else if (c === 0x22) return j + 1;
    else j += 1;
  }
  return j;
}

function skipWhitespace(text: string, i: number): number {
  let j = i;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    j += 1;
  }
  return j;
}

/**
 * A substring every match of a regular expression must contain, read from the pattern's source conservatively:
 * only plain characters at the top level count (not in groups, classes or alternatives; a quantified character does
 * not). The user-agent parser tests it with `includes` before running the pattern, which skips most of uap-core's
 * 1,175 patterns for any one agent: the pattern could not have matched, so the result is the same, only sooner.
 */

/** Escapes that stand for one literal character in a non-unicode JavaScript regex: `\/`, `\.`, `\-`, `\ `. */
function isLiteralEscape(character: string): boolean {
  return !/[A-Za-z0-9]/.test(character);
}

/** Index just past the group or class starting at `start` (`(` or `[`); -1 when it does not close. */
function skipBracketed(source: string, start: number): number {
  let depth = 0;
  let inClass = false;
  for (let index = start; index < source.length; index++) {
    const character = source[index];
    if (character === '\\') {
      index++;
    } else if (inClass) {
      if (character === ']') {
        inClass = false;
        if (depth === 0) return index + 1;
      }
    } else if (character === '[') {
      inClass = true;
    } else if (character === '(') {
      depth++;
    } else if (character === ')') {
      depth--;
      if (depth === 0) return index + 1;
    }
  }
  return -1;
}

const QUANTIFIER = /^(?:[*+?]|\{\d+(?:,\d*)?\})\??/;

/** The longest literal run the pattern requires; undefined when there is none (or the source is not understood). */
export function requiredLiteral(source: string): string | undefined {
  const runs: string[] = [];
  let run = '';
  const endRun = (): void => {
    if (run !== '') runs.push(run);
    run = '';
  };
  let index = 0;
  while (index < source.length) {
    const character = source[index];
    let literal: string | undefined;
    if (character === '|') return undefined; // a top-level alternative: nothing is required by every match
    if (character === '(' || character === '[') {
      const end = skipBracketed(source, index);
      if (end < 0) return undefined;
      endRun();
      index = end;
    } else if (character === '\\') {
      const escaped = source[index + 1];
      if (escaped === undefined) return undefined;
      if (isLiteralEscape(escaped)) literal = escaped;
      else endRun();
      index += 2;
    } else if ('.^$)]'.includes(character)) {
      endRun();
      index++;
    } else if (character === '{' && !QUANTIFIER.test(source.slice(index))) {
      endRun(); // a literal brace, conservatively not counted
      index++;
    } else if (QUANTIFIER.test(source.slice(index))) {
      // The quantified atom (the run's last character, if it was one) may be absent or repeated: drop it.
      run = run.slice(0, -1);
      endRun();
      index += (QUANTIFIER.exec(source.slice(index)) as RegExpExecArray)[0].length;
      continue;
    } else {
      literal = character;
      index++;
    }
    if (literal !== undefined) {
      // A quantifier right after this character applies to it alone: it is not required as written.
      if (QUANTIFIER.test(source.slice(index))) {
        endRun();
        index += (QUANTIFIER.exec(source.slice(index)) as RegExpExecArray)[0].length;
      } else {
        run += literal;
      }
    }
  }
  endRun();
  return runs.reduce<string | undefined>((longest, candidate) => (longest === undefined || candidate.length > longest.length ? candidate : longest), undefined);
}

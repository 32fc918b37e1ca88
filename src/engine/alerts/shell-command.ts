import { EMAIL_WIDTH } from './text-layout';

/**
 * A word of a command that may be broken across lines between its fragments, e.g. a JSON document in single quotes
 * (inside them a line break is just JSON whitespace to the shell and to the AWS CLI).
 */
export interface FragmentedWord {
  readonly fragments: readonly string[];
}

export type ShellWord = string | FragmentedWord;

/** A command for the reader to run, with this event's values filled in. */
export interface ShellCommand {
  readonly words: readonly ShellWord[];
}

/**
 * Values from the event go into commands a person will paste into a shell, so each one must match what AWS itself
 * allows for that kind of value; anything else (a failed call can carry any text) is not filled in. Every pattern
 * admits only characters with no meaning to a POSIX shell, so a filled-in value never needs quoting.
 */
export const SAFE_VALUE = {
  region: /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/,
  account: /^\d{12}$/,
  /** General purpose bucket names: 3 to 63 lowercase letters, digits, dots and hyphens. */
  bucket: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  /** RDS export task identifiers: a letter, then up to 59 letters, digits and hyphens. */
  exportTask: /^[A-Za-z][A-Za-z0-9-]{0,59}$/,
  /** IAM user and role names. */
  iamName: /^[\w+=,.@-]{1,64}$/,
  accessKey: /^(AKIA|ASIA)[A-Z0-9]{12,124}$/,
  /** An ISO 8601 UTC time, as the policy condition needs it. */
  time: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
} as const satisfies Record<string, RegExp>;

export type SafeValueKind = keyof typeof SAFE_VALUE;

/** The value when it is a valid `kind` (and so safe in a command), else undefined. */
export function safeValue(kind: SafeValueKind, value: string | undefined): string | undefined {
  return value !== undefined && SAFE_VALUE[kind].test(value) ? value : undefined;
}

/**
 * The command on lines of at most `width` characters: words are packed greedily, an option stays on the line of its
 * value, each continued line ends in ` \` and the next starts at `indent` + two spaces. A fragmented word is broken
 * between fragments, without a backslash.
 */
export function renderCommand(command: ShellCommand, indent: string, width = EMAIL_WIDTH): string[] {
  const continuation = `${indent}  `;
  const lines: string[] = [];
  let line = indent;
  let empty = true;
  // Every line keeps room for the ` \` a break may add after it.
  const fits = (extra: string, separator: string): boolean => line.length + separator.length + extra.length + 2 <= width;
  const breakLine = (withBackslash: boolean): void => {
    lines.push(withBackslash ? `${line} \\` : line);
    line = continuation;
    empty = true;
  };
  for (const unit of units(command.words)) {
    if (typeof unit === 'string') {
      if (!empty && !fits(unit, ' ')) breakLine(true);
      line += (empty ? '' : ' ') + unit;
      empty = false;
      continue;
    }
    let first = true;
    for (const fragment of unit.fragments) {
      const separator = first && !empty ? ' ' : '';
      if (!empty && !fits(fragment, separator)) breakLine(first);
      line += (empty ? '' : separator) + fragment;
      empty = false;
      first = false;
    }
  }
  lines.push(line);
  return lines;
}

/** The words, with each `--option` joined to the plain word after it so that they are never split. */
function units(words: readonly ShellWord[]): ShellWord[] {
  const result: ShellWord[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const next = words[i + 1];
    if (typeof word === 'string' && word.startsWith('--') && typeof next === 'string' && !next.startsWith('--')) {
      result.push(`${word} ${next}`);
      i++;
    } else {
      result.push(word);
    }
  }
  return result;
}

/**
 * What a person sees: replays bytes written to a terminal (carriage return, line feed, erase-line, colour codes) and
 * keeps every line that scrolled into the terminal's history, plus the line the cursor is on at the end. Lines are
 * not wrapped: a line is as long as what was written on it.
 */
export interface Screen {
  /** Lines ended by a line feed, in order: what stays in the terminal's scrollback. */
  readonly committed: string[];
  /** The line the cursor is on at the end (the progress line, if one is left drawn). */
  readonly current: string;
  /** How many times the current line was erased (`ESC [ K`). */
  readonly erasures: number;
}

export function replayTerminal(bytes: string): Screen {
  const committed: string[] = [];
  let line: string[] = [];
  let column = 0;
  let erasures = 0;
  for (let index = 0; index < bytes.length; index += 1) {
    const char = bytes[index] as string;
    if (char === '\r') {
      column = 0;
    } else if (char === '\n') {
      committed.push(line.join('').trimEnd());
      line = [];
      column = 0;
    } else if (char === '\x1b' && bytes[index + 1] === '[') {
      const sequence = /^\x1b\[([0-9;?]*)([A-Za-z])/.exec(bytes.slice(index, index + 16));
      if (sequence === null) throw new Error(`unexpected escape sequence at ${index}: ${JSON.stringify(bytes.slice(index, index + 8))}`);
      const [, parameter, command] = sequence;
      if (command === 'K' && (parameter === '' || parameter === '0')) {
        line = line.slice(0, column); // erase from the cursor to the end of the line
        erasures += 1;
      } else if (command === 'G') {
        column = Math.max(0, Number(parameter || '1') - 1); // cursor to a column (npm writes it before its header)
      } else if (command !== 'm') {
        throw new Error(`unexpected cursor control ${JSON.stringify(sequence[0])}: the replay would not match the screen`);
      }
      index += sequence[0].length - 1;
    } else {
      while (line.length < column) line.push(' ');
      line[column] = char;
      column += 1;
    }
  }
  return { committed, current: line.join('').trimEnd(), erasures };
}

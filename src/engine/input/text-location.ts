/** 1-based line and column (UTF-16 code units) of an offset, as editors show them. */
export interface TextLocation {
  readonly line: number;
  readonly column: number;
}

export function locateOffset(text: string, offset: number): TextLocation {
  let line = 1;
  let lineStart = 0;
  for (let next = text.indexOf('\n'); next !== -1 && next < offset; next = text.indexOf('\n', next + 1)) {
    line += 1;
    lineStart = next + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

export function formatLineColumn(location: TextLocation): string {
  return `line ${location.line}, column ${location.column}`;
}

/** Markdown helpers: table cells that cannot break the table, inline code, fenced blocks. */
export function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>').trim();
}

/** Inline code that survives backticks in the text, for use in table cells too. */
export function code(text: string): string {
  if (text === '') return '';
  const fence = text.includes('`') ? '``' : '`';
  const padded = text.startsWith('`') || text.endsWith('`') ? ` ${text} ` : text;
  return `${fence}${padded.replace(/\|/g, '\\|')}${fence}`;
}

/** A list of values as inline code, separated by `<br>`, for one table cell. */
export function codeList(values: readonly string[]): string {
  return values.length === 0 ? '—' : values.map(code).join('<br>');
}

export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)];
}

export function fenced(language: string, text: string): string[] {
  const fence = text.includes('```') ? '~~~~' : '```';
  return [`${fence}${language}`, text, fence];
}

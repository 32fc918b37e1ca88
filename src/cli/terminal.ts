/** What the CLI asks of the terminal it writes to. Streams without these properties (files, pipes, tests) are not terminals. */

export function isTerminal(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/** The terminal's width in columns, when the stream is a terminal that reports one. */
export function terminalColumns(stream: NodeJS.WritableStream): number | undefined {
  const columns = (stream as { columns?: number }).columns;
  return isTerminal(stream) && typeof columns === 'number' && columns > 0 ? columns : undefined;
}

/**
 * Colour only on a terminal, and never when the user said no: NO_COLOR set to anything but the empty string
 * (no-color.org) or TERM=dumb.
 */
export function colourAllowed(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if ((env.NO_COLOR ?? '') !== '' || env.TERM === 'dumb') return false;
  return isTerminal(stream);
}

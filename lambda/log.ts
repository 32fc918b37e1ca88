/**
 * Structured logs: one JSON object per stdout line, so CloudWatch Logs Insights can filter on
 * `level`, `eventId`, `ruleId`, ... without parsing. Written with process.stdout.write rather than
 * console.log because the Lambda runtime prefixes console output with its own text columns.
 */

export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. the request id for one invocation). */
  child(fields: LogFields): Logger;
}

export type LineWriter = (line: string) => void;

const writeToStdout: LineWriter = (line) => {
  process.stdout.write(line);
};

export function createLogger(baseFields: LogFields = {}, write: LineWriter = writeToStdout): Logger {
  const log = (level: LogLevel, message: string, fields: LogFields = {}) => {
    const timestamp = new Date().toISOString();
    const fixed = { level, message, timestamp };
    // Fixed keys are assigned twice: first for their position at the start of the line,
    // last so that a field called "level" or "message" cannot overwrite them.
    const entry = Object.assign({ ...fixed }, baseFields, fields, fixed);
    write(`${serialise(entry)}\n`);
  };
  return {
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
    child: (fields) => createLogger({ ...baseFields, ...fields }, write),
  };
}

function serialise(entry: Record<string, unknown>): string {
  try {
    return JSON.stringify(entry, replaceUnserialisable);
  } catch (error) {
    // A log call must never be the reason an invocation fails (e.g. a circular structure).
    return JSON.stringify({
      level: entry.level,
      message: entry.message,
      timestamp: entry.timestamp,
      logError: `could not serialise log fields: ${String(error)}`,
    });
  }
}

function replaceUnserialisable(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    // Error properties are not enumerable, so JSON.stringify would print `{}`.
    const { name, message, stack } = value;
    const code = (value as { code?: unknown }).code;
    return { ...(value as object), name, message, stack, ...(code === undefined ? {} : { code }) };
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

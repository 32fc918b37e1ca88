/** Collects what is written to process.stdout (the Lambda's JSON log lines) instead of printing it. */
export interface CapturedStdout {
  /** Every complete line that parsed as a JSON object, in order. */
  jsonLines(): Record<string, unknown>[];
  clear(): void;
  restore(): void;
}

export function captureStdout(): CapturedStdout {
  let text = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write);

  return {
    jsonLines() {
      return text
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Record<string, unknown>];
          } catch {
            return [];
          }
        });
    },
    clear() {
      text = '';
    },
    restore() {
      spy.mockRestore();
    },
  };
}

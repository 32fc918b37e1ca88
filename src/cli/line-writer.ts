/**
 * Writes lines to a stream without buffering a whole run in memory: when the stream's buffer is full, `writeLine`
 * waits for 'drain'. A reader that goes away (`scan ... | head`) makes writes fail with EPIPE; that is recorded
 * instead of crashing, and the scan stops early.
 */
export class LineWriter {
  private failure: NodeJS.ErrnoException | undefined;

  constructor(private readonly stream: NodeJS.WritableStream) {
    // Stays attached for the life of the stream: an 'error' without a listener would crash the process.
    stream.on('error', (error: NodeJS.ErrnoException) => {
      this.failure ??= error;
    });
  }

  /** True once the stream has failed; later lines are dropped. */
  get closed(): boolean {
    return this.failure !== undefined;
  }

  /** The stream's failure, unless it was only the reader going away (EPIPE), which is not worth reporting. */
  get unexpectedFailure(): Error | undefined {
    return this.failure?.code === 'EPIPE' ? undefined : this.failure;
  }

  async writeLine(line: string): Promise<void> {
    if (this.failure !== undefined) return;
    if (this.stream.write(`${line}\n`)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
      this.stream.on('close', done);
    });
  }
}

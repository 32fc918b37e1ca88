/** The process surroundings the CLI uses, injectable so tests run it in-process. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Directory that relative PATH and --rules arguments are resolved against. */
  readonly cwd: string;
  /** What `scan -` reads; process.stdin unless a test gives another stream. */
  readonly stdin?: NodeJS.ReadableStream;
}

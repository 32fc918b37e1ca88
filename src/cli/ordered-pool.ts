/**
 * Maps an async sequence with up to `limit` calls of `work` running at once, yielding results in the source's order
 * (so output stays deterministic). `work` must not reject: it turns failures into results. Pulls the source lazily:
 * at most `limit` items are in flight or waiting for the consumer. A failing source stops new work; the results already in
 * flight are yielded, then the source's error is thrown.
 */
export async function* mapOrdered<T, R>(source: AsyncIterable<T>, limit: number, work: (item: T) => Promise<R>): AsyncGenerator<R> {
  const iterator = source[Symbol.asyncIterator]();
  const inFlight: Promise<R>[] = [];
  let done = false;
  let sourceError: { error: unknown } | undefined;
  const fill = async (): Promise<void> => {
    while (!done && inFlight.length < limit) {
      try {
        const next = await iterator.next();
        if (next.done) {
          done = true;
          break;
        }
        inFlight.push(work(next.value));
      } catch (error) {
        done = true;
        sourceError = { error };
      }
    }
  };
  try {
    await fill();
    while (inFlight.length > 0) {
      const result = await (inFlight[0] as Promise<R>);
      inFlight.shift();
      await fill(); // start the next piece of work before handing this result over, to keep `limit` in flight
      yield result;
    }
    if (sourceError !== undefined) throw sourceError.error;
  } finally {
    if (!done) await iterator.return?.();
  }
}

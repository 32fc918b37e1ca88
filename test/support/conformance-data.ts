import { conformanceDirectory, conformancePath, hasConformanceData } from '../../src/conformance/conformance-dir';

export { conformanceDirectory, conformancePath, hasConformanceData };

/**
 * `describe` for suites that need Elastic's conformance data (`CONFORMANCE_DIR`, default `../shared/conformance`).
 * When a required path is absent, the body is not run at all (jest runs the body of a `describe.skip`, so reading
 * files there would fail on a clone with nothing beside it); one skipped test says what is missing instead.
 */
export function describeWithConformance(title: string, required: readonly string[], body: () => void): void {
  const missing = required.filter((segment) => !hasConformanceData(segment));
  if (missing.length === 0) {
    describe(title, body);
    return;
  }
  describe(title, () => {
    test.skip(`needs ${missing.join(', ')} in ${conformanceDirectory()} (set CONFORMANCE_DIR to point elsewhere)`, () => undefined);
  });
}

/** `it` that runs only when the given conformance paths exist. */
export function itWithConformance(required: readonly string[]): jest.It {
  return required.every((segment) => hasConformanceData(segment)) ? it : it.skip;
}

import { join } from 'node:path';
import { printable } from '../../src/cli/terminal-text';
import { runCli, scratchDirectory } from '../cli/cli-harness';
import { captureStdout, type CapturedStdout } from '../support/captured-stdout';
import { startConditionalS3, type ConditionalLocalS3 } from '../support/conditional-s3';
import { setEnvironment } from '../support/environment';
import { lambdaContext } from '../support/lambda-context';
import { startSnsRecorder, type SnsRecorder } from '../support/sns-recorder';
import { loadHandler, localLambdaEnvironment, writeRulePack, type HandlerModule } from '../lambda/handler-harness';
import { generateFile, generateRecord, isGenuineToken, Random, type GeneratedFile } from './hostile-generator';

/**
 * Fuzzing, part of every `npm test` (issue 10): over 10,000 generated records in over 400 generated files through
 * `scan`, and 10,000 generated records through the Lambda handler, with a fresh seed each run (FUZZ_SEED replays
 * one; the seed is in every test name). Asserted: no crash; every positive of an intact file alerted exactly once,
 * no positive twice, nothing else alerting; every damaged or foreign file named on stderr, escaped; every record the
 * handler cannot take rejected loudly with its log line.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const TOKEN = /fuzz-token-\d+-\d+-\d+/g;
const TERMINAL_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/** Tokens of the positives each alert is about (an alert repeats its token in several fields). */
function alertCounts(alerts: readonly unknown[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const alert of alerts) {
    for (const token of new Set(JSON.stringify(alert).match(TOKEN) ?? [])) counts.set(token, (counts.get(token) ?? 0) + 1);
  }
  return counts;
}

describe(`fuzzing with seed ${SEED} (FUZZ_SEED=${SEED} replays it)`, () => {
  jest.setTimeout(120_000);

  it('scan: 420 files, 10,080 hostile records: no crash, intact positives alert once, bad files named', async () => {
    const random = new Random(SEED);
    const files: GeneratedFile[] = Array.from({ length: 420 }, (_, index) => generateFile(random, index, 24));
    expect(files.reduce((sum, file) => sum + file.records, 0)).toBeGreaterThanOrEqual(10_000);
    const trail = scratchDirectory(Object.fromEntries(files.map((file) => [file.name, file.bytes])));
    try {
      const run = await runCli(['scan', '--quiet', trail.path]);
      expect([0, 1]).toContain(run.code);
      const stderrLines = run.stderr.trimEnd().split('\n');
      expect(stderrLines[stderrLines.length - 1]).toMatch(/^scanned 420 files with 1 rule: /);
      for (const line of stderrLines) expect(line).not.toMatch(TERMINAL_CONTROL);

      // (A bit flip in a gzip can still inflate, to altered text, reported by its failed CRC: a token it altered fails
      // its check digits, but an intact token can sit in a record the flip turned from a negative into a positive, or
      // in one a corrupted back-reference copied. Every other genuine token alerting must be a generated positive, and
      // alert once.)
      const counts = new Map([...alertCounts(run.alerts)].filter(([token]) => isGenuineToken(token, SEED)));
      const known = new Set(files.flatMap((file) => file.positives));
      const inAlteredFiles = new Set(files.filter((file) => file.altered).flatMap((file) => file.tokens));
      expect([...counts.keys()].filter((token) => !known.has(token) && !inAlteredFiles.has(token))).toEqual([]);
      expect([...counts].filter(([token, count]) => count > 1 && !inAlteredFiles.has(token))).toEqual([]);
      const missing = files.filter((file) => file.intact).flatMap((file) => file.positives.filter((token) => !counts.has(token)).map((token) => `${JSON.stringify(file.name)}: ${token}`));
      expect(missing).toEqual([]);

      const unnamed = files.filter((file) => file.bad && !run.stderr.includes(printable(join(trail.path, file.name)))).map((file) => file.name);
      expect(unnamed).toEqual([]);
    } finally {
      trail.cleanup();
    }
  });

  describe('the Lambda handler: 10,000 hostile records', () => {
    // Its own local S3 and SNS, left as the run leaves them (emptying thousands of objects from s3rver is slow).
    let s3: ConditionalLocalS3;
    let sns: SnsRecorder;
    let rulePack: { path: string; remove(): void };
    let restoreEnvironment: () => void;
    let stdout: CapturedStdout;
    let lambda: HandlerModule;

    beforeAll(async () => {
      [s3, sns] = await Promise.all([startConditionalS3('fuzz-alert-archive'), startSnsRecorder()]);
      rulePack = writeRulePack();
      restoreEnvironment = setEnvironment(
        localLambdaEnvironment({ snsEndpoint: sns.endpoint, s3Endpoint: s3.endpoint, topicArn: 'arn:aws:sns:us-east-1:123456789012:cloudtrail-detector-alerts', bucket: s3.bucket, rulesPath: rulePack.path }),
      );
      stdout = captureStdout();
      lambda = loadHandler();
    });

    afterAll(async () => {
      stdout?.restore();
      restoreEnvironment?.();
      rulePack?.remove();
      await Promise.all([s3?.stop(), sns?.stop()]);
    });

    it('never crashes, publishes each well-formed positive once, and fails loudly on what it cannot take', async () => {
      const random = new Random(SEED ^ 0x5eed);
      type Outcome = { readonly envelopeId: string; readonly ok: boolean; readonly error?: string };
      const invocations: { event: unknown; envelopeId: string; positive?: string; wellFormed: boolean }[] = [];
      for (let n = 0; n < 10_000; n += 1) {
        let record = generateRecord(random);
        // Three positives in four become negatives here: each positive costs a claim, a publish and a record in
        // local S3 and SNS, and a few hundred are plenty to check exactly-once delivery.
        if (record.positiveToken !== undefined && random.chance(0.75)) record = { text: record.text.replace('"StartExportTask"', '"DescribeDBSnapshots"'), token: record.token, wellFormed: record.wellFormed };
        const envelopeId = `fuzz-envelope-${n}`;
        const detail = JSON.parse(record.text) as unknown;
        const shape = random.int(40);
        // Mostly proper envelopes; some with the detail as a string, none, another account, or no envelope at all.
        const event =
          shape === 0 ? { id: envelopeId, 'detail-type': 'AWS API Call via CloudTrail', detail: record.text }
          : shape === 1 ? { id: envelopeId, 'detail-type': 'AWS API Call via CloudTrail' }
          : shape === 2 ? { id: envelopeId, account: '999999999999', 'detail-type': 'AWS API Call via CloudTrail', detail }
          : { version: '0', id: envelopeId, 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.rds', account: '123456789012', region: 'us-east-1', time: '2026-11-20T03:15:42Z', resources: [], detail };
        const proper = shape > 2;
        invocations.push({ event, envelopeId, wellFormed: record.wellFormed && proper, ...(record.positiveToken && record.wellFormed && proper ? { positive: record.positiveToken } : {}) });
      }

      const outcomes: Outcome[] = [];
      const queue = [...invocations];
      const worker = async (): Promise<void> => {
        for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
          try {
            await lambda.handler(next.event as never, lambdaContext(`req-${next.envelopeId}`));
            outcomes.push({ envelopeId: next.envelopeId, ok: true });
          } catch (error) {
            outcomes.push({ envelopeId: next.envelopeId, ok: false, error: (error as Error).name });
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));

      expect(outcomes).toHaveLength(10_000);
      // Every failure is a refusal of the input, never a crash of the code (TypeError, RangeError...).
      expect([...new Set(outcomes.filter((outcome) => !outcome.ok).map((outcome) => outcome.error))].filter((name) => name !== 'InvalidEventError')).toEqual([]);
      // ... and each has its log line.
      const failedLogged = new Set(stdout.jsonLines().filter((line) => line.message === 'event processing failed').map((line) => line.envelopeId));
      expect(outcomes.filter((outcome) => !outcome.ok && !failedLogged.has(outcome.envelopeId))).toEqual([]);
      // Every well-formed record in a proper envelope is accepted.
      const okIds = new Set(outcomes.filter((outcome) => outcome.ok).map((outcome) => outcome.envelopeId));
      expect(invocations.filter((invocation) => invocation.wellFormed && !okIds.has(invocation.envelopeId)).map((invocation) => invocation.envelopeId)).toEqual([]);

      const published = alertCounts(sns.publishes.map((publish) => JSON.parse(JSON.parse(publish.message!).default)));
      const positives = invocations.flatMap((invocation) => (invocation.positive ? [invocation.positive] : []));
      expect(positives.length).toBeGreaterThan(250);
      expect(positives.filter((token) => published.get(token) !== 1)).toEqual([]);
      expect([...published.keys()].filter((token) => !positives.includes(token))).toEqual([]);
    });
  });
});

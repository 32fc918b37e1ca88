import { createWriteStream, type WriteStream } from 'node:fs';
import { resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { createDetector, type Detection, type Detector } from '../engine/detector';
import { type InputError, type RecordItem } from '../engine/input';
import { DEFAULT_MAX_OBJECT_BYTES } from '../engine/input/inflate';
import { prepareEntries } from '../engine/input/prefilter-pool';
import type { PreparedContent } from '../engine/input/prepare-content';
import { readPreparedRecords } from '../engine/input/read-prefiltered';
import { compileRules, loadRulePack, RuleFileError, type CompiledRule } from '../engine/rules';
import type { EcsDocument } from '../engine/ecs/ecs-document';
import { AlertDeduplicator } from './alert-dedupe';
import { MatchFilter } from './match-filter';
import { formatTableRow, tableHeader } from './alert-table';
import type { ScanArguments } from './args';
import type { CliIo } from './cli-io';
import { localEntries, type InputEntry } from './input-entry';
import { LineWriter } from './line-writer';
import { isTerminal, ProgressLine, type ProgressState } from './progress';
import { createS3Client, clientRegion } from './s3/s3-client';
import { s3Entries } from './s3/s3-source';
import { isS3Url, parseS3Url, type S3Location } from './s3/s3-url';
import { emptyS3Tally, emptyTally, formatSummary, type ScanTally } from './summary';
import { printable, printableError } from './terminal-text';
import { describeUnsupportedRule } from './unsupported-rules';
import { PROGRAM_NAME, USAGE } from './usage';
import { describeFsError } from './walk-paths';

/** The rules shipped with the package: found from this file, so the scan works from any working directory. */
export const PACKAGED_RULES_DIRECTORY = resolve(__dirname, '..', '..', 'rules');

/** What a scan needs: the parsed `scan` arguments (src/cli/args.ts). */
export type ScanOptions = Omit<ScanArguments, 'command'>;

/** Default number of S3 objects read at once. */
export const DEFAULT_CONCURRENCY = 8;

/** Exit status after Ctrl-C, as shells report a SIGINT death (128 + 2). */
export const EXIT_INTERRUPTED = 130;

/**
 * Runs `scan`; returns the exit code (0 all inputs read, 1 some input unreadable, 2 unusable rules, options or
 * output file, 130 interrupted). Unsupported rule types are reported on stderr and do not change the exit code.
 */
export async function runScan(options: ScanOptions, io: CliIo): Promise<number> {
  const errors = new LineWriter(io.stderr);
  const rulesDirectory = options.rulesDirectory === undefined ? PACKAGED_RULES_DIRECTORY : resolve(io.cwd, options.rulesDirectory);
  let rules: CompiledRule[];
  let matchFilter: MatchFilter;
  try {
    const pack = loadRulePack(rulesDirectory);
    // Rules of types the engine cannot run yet are named, then the scan goes on with the others.
    for (const rule of pack.unsupported) await errors.writeLine(describeUnsupportedRule(rule));
    if (pack.rules.length === 0) {
      throw new RuleFileError(rulesDirectory, [{ field: '', problem: 'none of the rules in this directory can run' }]);
    }
    rules = compileRules(pack.rules);
    // --exceptions: the same checks as the synth (owner, reason, expiry), problems named by file, line and field.
    const loaded = MatchFilter.load(rules, options, io.cwd, new Date());
    for (const note of loaded.notes) await errors.writeLine(printable(note));
    matchFilter = loaded.filter;
  } catch (error) {
    await errors.writeLine(`${PROGRAM_NAME}: ${printableError(error)}`);
    await errors.writeLine(USAGE);
    return 2;
  }
  for (const path of options.paths) {
    const location = isS3Url(path) ? parseS3Url(path) : undefined;
    if (location !== undefined && 'error' in location) {
      await errors.writeLine(`${PROGRAM_NAME}: ${printable(location.error)}`);
      await errors.writeLine(USAGE);
      return 2;
    }
  }

  let outputFile: WriteStream | undefined;
  if (options.output !== undefined) {
    const outputPath = resolve(io.cwd, options.output);
    try {
      outputFile = await openOutput(outputPath);
    } catch (error) {
      await errors.writeLine(`${PROGRAM_NAME}: cannot write alerts to ${printable(options.output)}: ${describeFsError(error)}`);
      return 2;
    }
  }

  const interrupt = new AbortController();
  const onSigint = (): void => {
    if (interrupt.signal.aborted) process.exit(EXIT_INTERRUPTED); // a second Ctrl-C does not wait
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);
  const progress = new ProgressLine(io.stderr, !options.quiet && isTerminal(io.stderr));
  const scan = new Scan(
    createDetector(rules),
    new LineWriter(outputFile ?? io.stdout),
    outputFile === undefined ? '<stdout>' : options.output ?? '',
    options.format ?? 'json',
    errors,
    progress,
    emptyTally(rules.length),
    interrupt.signal,
    matchFilter,
  );
  try {
    await scan.run(options, io.cwd);
  } finally {
    process.off('SIGINT', onSigint);
    progress.clear();
    scan.close();
  }
  for (const line of matchFilter.unreported()) await errors.writeLine(printable(line));
  if (outputFile !== undefined) await closeOutput(outputFile, scan, options.output ?? '');
  if (interrupt.signal.aborted) scan.tally.interrupted = true;
  await errors.writeLine(formatSummary(scan.tally));
  if (interrupt.signal.aborted) return EXIT_INTERRUPTED;
  return scan.tally.errors > 0 ? 1 : 0;
}

/** Creates or truncates the --output file; resolves once it is open, so a bad path fails before the scan. */
function openOutput(path: string): Promise<WriteStream> {
  return new Promise((resolveOpen, reject) => {
    const stream = createWriteStream(path, { flags: 'w' });
    stream.once('open', () => {
      stream.off('error', reject);
      resolveOpen(stream);
    });
    stream.once('error', reject);
  });
}

async function closeOutput(stream: WriteStream, scan: Scan, name: string): Promise<void> {
  const failure = await new Promise<Error | undefined>((done) => {
    if (stream.destroyed) return done(undefined);
    stream.once('error', (error) => done(error));
    stream.end(() => done(undefined));
  });
  if (failure !== undefined && scan.tally.errors === 0) await scan.reportOutputFailure(name, failure);
}

/** One run's state: the detector, the output, what has alerted already, and the counts. */
class Scan {
  private readonly receivedAt = new Date(); // one instant per run, like one Lambda invocation per event
  private readonly deduplicator = new AlertDeduplicator();
  private readonly startedAt = Date.now();
  private s3Client: S3Client | undefined;
  /** Objects to fetch from S3, once every s3:// location is listed; drives the ETA. */
  private objectsTotal: number | undefined;
  private objectsRead = 0;
  private headerWritten = false;

  constructor(
    private readonly detector: Detector,
    private readonly alerts: LineWriter,
    private readonly outputName: string,
    private readonly format: 'json' | 'table',
    private readonly errors: LineWriter,
    private readonly progress: ProgressLine,
    readonly tally: ScanTally,
    private readonly signal: AbortSignal,
    private readonly matchFilter: MatchFilter,
  ) {}

  async run(options: ScanOptions, cwd: string): Promise<void> {
    const today = new Date().toISOString().slice(0, 10);
    const s3Locations = options.paths.filter(isS3Url).length;
    let listedLocations = 0;
    let listedObjects = 0;
    const maxBytes = options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES;
    for (const group of groupArguments(options.paths)) {
      let entries: AsyncIterable<InputEntry>;
      if (group.kind === 'local') entries = localEntries(group.paths, cwd, maxBytes);
      else {
        const client = (this.s3Client ??= createS3Client());
        this.tally.s3 ??= emptyS3Tally();
        entries = s3Entries(group.location, {
          client,
          filters: { since: options.since, until: options.until, accounts: options.accounts, regions: options.regions },
          concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
          signal: this.signal,
          today,
          tally: this.tally.s3,
          maxBytes,
          region: await clientRegion(client),
          onListed: (count) => {
            listedLocations += 1;
            listedObjects += count;
            // Local files are not counted ahead, so a total is only known for a scan of S3 locations alone.
            if (listedLocations === s3Locations && s3Locations === options.paths.length) this.objectsTotal = listedObjects;
          },
        });
      }
      // Each object is inflated (once, within the limit) and pre-filtered ahead of this loop, large ones on worker
      // threads; entries come out in order.
      for await (const { entry, prepared } of prepareEntries(entries, this.detector.rules, { maxBytes })) {
        await this.handle(entry, prepared);
        if (this.alerts.closed || this.signal.aborted) break;
      }
      if (this.alerts.closed || this.signal.aborted) break;
    }
    const outputFailure = this.alerts.unexpectedFailure;
    if (outputFailure !== undefined) {
      await this.reportOutputFailure(this.outputName, outputFailure);
    } else if (this.alerts.closed) {
      this.tally.stoppedEarly = true;
    }
  }

  close(): void {
    this.s3Client?.destroy();
  }

  async reportOutputFailure(name: string, failure: Error): Promise<void> {
    await this.reportError({ kind: 'error', source: name, position: '', message: `cannot write alerts: ${describeFsError(failure)}` });
  }

  private async handle(entry: InputEntry, prepared: PreparedContent | undefined): Promise<void> {
    switch (entry.kind) {
      case 'aborted':
        return;
      case 'error':
        if (entry.located) {
          this.tally.errors += 1;
          await this.writeError(entry.message);
        } else {
          await this.reportError({ kind: 'error', source: entry.displayPath, position: '', message: entry.message });
        }
        return;
      case 'skipped-data':
        if (entry.reason === 'digest') this.tally.skippedDigests += 1;
        else this.tally.skippedFiles += 1;
        return;
      case 'content':
        this.tally.files += 1;
        if (prepared === undefined) return; // (every content entry is prepared)
        for (const note of prepared.notes) {
          if (note.severity === 'error') await this.reportError({ kind: 'error', source: entry.displayPath, position: '', message: note.message });
          else await this.writeError(`${entry.displayPath}: warning: ${note.message}`);
        }
        for (const item of readPreparedRecords(prepared, entry.displayPath)) {
          if (item.kind === 'record') await this.scanRecord(item);
          else if (item.kind === 'error') await this.reportError(item);
          else if (item.kind === 'unmatched') this.tally.records += item.count; // skipped unparsed: no rule can match them
          else this.tally.skippedDigests += 1;
          if (this.alerts.closed) return;
        }
        this.objectsRead += 1;
        this.showProgress();
    }
  }

  private showProgress(force = false): void {
    this.progress.update((): ProgressState => ({
      objects: this.objectsRead,
      ...(this.objectsTotal === undefined ? {} : { objectsTotal: this.objectsTotal }),
      bytes: this.tally.s3?.bytes ?? 0,
      records: this.tally.records,
      alerts: this.tally.alerts,
      elapsedMs: Date.now() - this.startedAt,
    }), force);
  }

  private async scanRecord(item: RecordItem): Promise<void> {
    this.tally.records += 1;
    let evaluated: { alerts: EcsDocument[]; suppressedLines: string[] };
    try {
      evaluated = this.evaluate(item);
    } catch (error) {
      // A record the engine cannot handle is an input problem like a malformed line: reported, and the scan goes on.
      await this.reportError({ ...item, kind: 'error', message: `cannot evaluate record: ${(error as Error).message}` });
      return;
    }
    for (const line of evaluated.suppressedLines) await this.writeError(line);
    for (const alert of evaluated.alerts) {
      this.tally.alerts += 1;
      await this.writeAlert(alert);
    }
  }

  /**
   * Everything done with one record before output: detection, de-duplication, exceptions and suppression. Any failure
   * here (a record no step can handle) throws, and the caller reports it against the record's file and position.
   */
  private evaluate(item: RecordItem): { alerts: EcsDocument[]; suppressedLines: string[] } {
    const detections: Detection[] = this.detector.detect(item.record, { receivedAt: this.receivedAt, original: item.original, envelope: item.envelope });
    const alerts: EcsDocument[] = [];
    const suppressedLines: string[] = [];
    for (const detection of detections) {
      if (!this.deduplicator.isFirst(detection.rule.rule.ruleId, item.record)) {
        this.tally.duplicateAlerts += 1;
        continue;
      }
      // Exceptions and alert suppression (docs/exceptions.md): a suppressed match is one line on stderr.
      const verdict = this.matchFilter.check(detection);
      if (verdict.kind === 'suppressed') {
        if (verdict.by === 'exception') this.tally.suppressedByException = (this.tally.suppressedByException ?? 0) + 1;
        else this.tally.suppressedByWindow = (this.tally.suppressedByWindow ?? 0) + 1;
        suppressedLines.push(verdict.line);
        continue;
      }
      alerts.push(verdict.alert as unknown as EcsDocument);
    }
    return { alerts, suppressedLines };
  }

  private async writeAlert(alert: EcsDocument): Promise<void> {
    if (this.format === 'json') {
      await this.alerts.writeLine(JSON.stringify(alert));
      return;
    }
    if (!this.headerWritten) {
      this.headerWritten = true;
      await this.alerts.writeLine(tableHeader());
    }
    await this.alerts.writeLine(formatTableRow(alert));
  }

  private async reportError(error: InputError): Promise<void> {
    this.tally.errors += 1;
    const where = error.position === '' ? error.source : `${error.source}:${error.position}`;
    await this.writeError(`${where}: ${error.message}`);
  }

  /** Every per-input line goes through here: names in it (paths, S3 keys, list ids) are escaped for the terminal. */
  private async writeError(line: string): Promise<void> {
    this.progress.clear();
    await this.errors.writeLine(printable(line));
  }
}

/** Consecutive local PATHs walk together (one file read once even if named twice); each s3:// URL stands alone. */
function groupArguments(paths: readonly string[]): ({ kind: 'local'; paths: string[] } | { kind: 's3'; location: S3Location })[] {
  const groups: ({ kind: 'local'; paths: string[] } | { kind: 's3'; location: S3Location })[] = [];
  for (const path of paths) {
    if (isS3Url(path)) {
      groups.push({ kind: 's3', location: parseS3Url(path) as S3Location });
      continue;
    }
    const last = groups[groups.length - 1];
    if (last?.kind === 'local') last.paths.push(path);
    else groups.push({ kind: 'local', paths: [path] });
  }
  return groups;
}

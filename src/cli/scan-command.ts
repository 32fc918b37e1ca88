import { createWriteStream, type WriteStream } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { createDetector, type Detection, type Detector } from '../engine/detector';
import { type InputError, type RecordItem } from '../engine/input';
import { DEFAULT_MAX_OBJECT_BYTES } from '../engine/input/inflate';
import { prepareEntries } from '../engine/input/prefilter-pool';
import type { PreparedContent } from '../engine/input/prepare-content';
import { readPreparedRecords } from '../engine/input/read-prefiltered';
import { compileRules, loadRulePack, RuleFileError, type CompiledRule, type DetectionRule } from '../engine/rules';
import { MemoryStateStore } from '../engine/state';
import { NEW_TERMS_LATENESS_MS, SEQUENCE_LATENESS_MS, THRESHOLD_LATENESS_MS } from '../engine/stateful';
import { isSequenceRule } from '../engine/rules';
import { describeDuration } from '../engine/alerts/stateful-fields';
import type { EcsDocument } from '../engine/ecs/ecs-document';
import type { Enrichment } from '../engine/enrichment';
import { checkEnrichmentFiles } from '../enrichment/file-enrichment';
import { loadDefaultEnrichment } from '../enrichment/load-enrichment';
import { AlertDeduplicator } from './alert-dedupe';
import { MatchFilter } from './match-filter';
import { formatTableRows, tableHeader, tableWidth, type TableStyle } from './alert-table';
import { SCAN_COMMAND, STDIN_OPERAND, type ScanArguments } from './args';
import type { CliIo } from './cli-io';
import { localEntries, stdinEntries, type InputEntry } from './input-entry';
import { LineWriter } from './line-writer';
import { ProgressLine, type ProgressState } from './progress';
import { CLOUDTRAIL_RECORD_FIELDS, isCloudTrailRecord } from './record-shape';
import { isS3Url, parseS3Url, type S3Location } from './s3/s3-url';
import { emptyS3Tally, emptyTally, formatSummary, type ScanTally } from './summary';
import { printable, printableError } from './terminal-text';
import { describeUnsupportedRule } from './unsupported-rules';
import { readScanState, writeScanState } from './scan-state';
import { usageLines } from './command-help';
import { PROGRAM_NAME } from './usage';
import { colourAllowed, isTerminal, terminalColumns } from './terminal';
import { describeFsError } from './walk-paths';
import { packageRoot } from '../../lib/package-paths';

/** The rules shipped with the package: found from the package root, so the scan works from any working directory and from the compiled code. */
export const PACKAGED_RULES_DIRECTORY = join(packageRoot(), 'rules');

/** What a scan needs: the parsed `scan` arguments (src/cli/args.ts). */
export type ScanOptions = Omit<ScanArguments, 'command'>;

/** Default number of S3 objects read at once. */
export const DEFAULT_CONCURRENCY = 8;

/** Exit status after Ctrl-C, as shells report a SIGINT death (128 + 2). */
export const EXIT_INTERRUPTED = 130;

/**
 * How `baseline` (src/cli/baseline-command.ts) reads an archive exactly as `scan` does: its own rules, new_terms
 * sightings recorded without alerting, and its own last step once every input has been read.
 */
export interface ScanVariant {
  /** The rules to run, from the pack; may throw a RuleFileError when none fits. */
  selectRules(rules: readonly DetectionRule[], directory: string): DetectionRule[];
  /** Writes what the run learned; returns the text that ends the summary line. Not called after Ctrl-C. */
  finish(state: MemoryStateStore, earliestEventTime: number | undefined): Promise<string>;
}

/**
 * Runs `scan`; returns the exit code (0 all inputs read, 1 some input unreadable, 2 unusable rules, options or
 * output file, 130 interrupted). Unsupported rule types are reported on stderr and do not change the exit code.
 */
export async function runScan(options: ScanOptions, io: CliIo, variant?: ScanVariant): Promise<number> {
  const errors = new LineWriter(io.stderr);
  const rulesDirectory = options.rulesDirectory === undefined ? PACKAGED_RULES_DIRECTORY : resolve(io.cwd, options.rulesDirectory);
  let rules: CompiledRule[];
  let matchFilter: MatchFilter;
  let enrichment: Enrichment | undefined;
  try {
    enrichment = scanEnrichment(options, io.cwd);
    const pack = loadRulePack(rulesDirectory);
    // Rules of types the engine cannot run yet are named, then the scan goes on with the others.
    for (const rule of pack.unsupported) await errors.writeLine(describeUnsupportedRule(rule));
    if (pack.rules.length === 0) {
      throw new RuleFileError(rulesDirectory, [{ field: '', problem: 'none of the rules in this directory can run' }]);
    }
    rules = compileRules(variant ? variant.selectRules(pack.rules, rulesDirectory) : pack.rules);
    // --exceptions: the same checks as the synth (owner, reason, expiry), problems named by file, line and field.
    const loaded = MatchFilter.load(rules, options, io.cwd, new Date());
    for (const note of loaded.notes) await errors.writeLine(printable(note));
    matchFilter = loaded.filter;
  } catch (error) {
    await errors.writeLine(`${PROGRAM_NAME}: ${printableError(error)}`);
    await errors.writeLine(usageLines(PROGRAM_NAME, SCAN_COMMAND));
    return 2;
  }
  // State of new_terms and threshold rules: in memory over this run's records, in event time (docs/stateful-rules.md).
  const state = new MemoryStateStore();
  try {
    if (options.stateIn !== undefined) state.restore(await readScanState(resolve(io.cwd, options.stateIn), options.stateIn));
    if (options.stateOut !== undefined) await access(dirname(resolve(io.cwd, options.stateOut)), constants.W_OK);
  } catch (error) {
    const message = error instanceof Error && error.name === 'ScanStateError' ? error.message : `cannot write the state to ${options.stateOut}: ${describeFsError(error)}`;
    await errors.writeLine(`${PROGRAM_NAME}: ${message}`);
    return 2;
  }
  for (const path of options.paths) {
    const location = isS3Url(path) ? parseS3Url(path) : undefined;
    if (location !== undefined && 'error' in location) {
      await errors.writeLine(`${PROGRAM_NAME}: ${printable(location.error)}`);
      await errors.writeLine(usageLines(PROGRAM_NAME, SCAN_COMMAND));
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
  const alertStream = outputFile ?? io.stdout;
  const tally = emptyTally(rules.length);
  // Records read further behind the newest one than a rule's state keeps are counted: their answers can differ.
  const lateness = Math.min(
    NEW_TERMS_LATENESS_MS,
    ...(rules.some((rule) => rule.rule.threshold) ? [THRESHOLD_LATENESS_MS] : []),
    ...(rules.some((rule) => isSequenceRule(rule.rule)) ? [SEQUENCE_LATENESS_MS] : []),
  );
  let earliestEventTime: number | undefined;
  const detector = createDetector(rules, {
    enrichment,
    state,
    isExcepted: (rule, document) => matchFilter.excepts(rule, document),
    observeEventTime: (time) => {
      if (time < state.now - lateness) tally.lateForState = (tally.lateForState ?? 0) + 1;
      if (Number.isFinite(time) && !(time >= (earliestEventTime ?? Infinity))) earliestEventTime = time;
      // A baseline keeps every sighting it reads: nothing it holds expires before it is written.
      if (variant === undefined) state.observe(time);
    },
    ...(variant ? { stateful: { recordOnly: true } } : {}),
  });
  const scan = new Scan(
    detector,
    {
      writer: new LineWriter(alertStream),
      name: outputFile === undefined ? '<stdout>' : options.output ?? '',
      format: options.format ?? 'json',
      table: { width: tableWidth(terminalColumns(alertStream)), colour: colourAllowed(alertStream) },
      // Alerts and the progress line share the screen when stdout is a terminal too: the line steps aside for them.
      sharesTerminal: progress.enabled && isTerminal(alertStream),
    },
    errors,
    progress,
    tally,
    interrupt.signal,
    matchFilter,
  );
  try {
    await scan.run(options, io);
  } finally {
    process.off('SIGINT', onSigint);
    progress.clear();
    scan.close();
  }
  for (const line of matchFilter.unreported()) await errors.writeLine(printable(line));
  if (outputFile !== undefined) await closeOutput(outputFile, scan, options.output ?? '');
  if (tally.lateForState) {
    await errors.writeLine(
      `note: ${tally.lateForState} record(s) reached new_terms, threshold or sequence rules more than ${describeDuration(lateness)} behind the newest record read ` +
        'before them (inputs of several accounts or regions interleave in time); their state may have been dropped, so their answers can ' +
        'differ from a trail read in time order. Scan one account and region at a time, or in time order.',
    );
  }
  let variantSummary = '';
  if (variant !== undefined && !interrupt.signal.aborted) {
    try {
      variantSummary = await variant.finish(state, earliestEventTime);
    } catch (error) {
      tally.errors += 1;
      await errors.writeLine(`${PROGRAM_NAME}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (options.stateOut !== undefined) {
    try {
      tally.stateSaved = await writeScanState(resolve(io.cwd, options.stateOut), state);
    } catch (error) {
      tally.errors += 1;
      await errors.writeLine(`${PROGRAM_NAME}: cannot write the state to ${options.stateOut}: ${describeFsError(error)}`);
    }
  }
  if (interrupt.signal.aborted) scan.tally.interrupted = true;
  await errors.writeLine(`${formatSummary(scan.tally)}${variantSummary}`);
  if (interrupt.signal.aborted) return EXIT_INTERRUPTED;
  return scan.tally.errors > 0 ? 1 : 0;
}

/**
 * GeoIP/ASN/user-agent enrichment, on unless --no-enrich: the user's --geoip-database / --asn-database (checked
 * here, before any input is read) or the shipped databases, read when the first event needs them.
 */
function scanEnrichment(options: ScanOptions, cwd: string): Enrichment | undefined {
  if (options.noEnrich) return undefined;
  const own = {
    geoDatabase: options.geoipDatabase === undefined ? undefined : resolve(cwd, options.geoipDatabase),
    asnDatabase: options.asnDatabase === undefined ? undefined : resolve(cwd, options.asnDatabase),
  };
  checkEnrichmentFiles(own, { geo: '--geoip-database', asn: '--asn-database' });
  return loadDefaultEnrichment(own);
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

/** Where alerts go and how they look. */
interface AlertOutput {
  readonly writer: LineWriter;
  /** For messages: `<stdout>` or the --output file. */
  readonly name: string;
  readonly format: 'json' | 'table';
  readonly table: TableStyle;
  readonly sharesTerminal: boolean;
}

/** What one input held, for the "no CloudTrail records" check. */
interface InputFindings {
  records: number;
  /** JSON objects that are not CloudTrail records, and where the first one is. */
  others: number;
  firstOther?: string;
  /** Errors and digests: the input was understood, or its problem was already reported. */
  accountedFor: number;
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
  /** Bytes of local files and standard input (S3 bytes are counted in the S3 tally). */
  private localBytes = 0;
  private headerWritten = false;
  private readonly alerts: LineWriter;

  constructor(
    private readonly detector: Detector,
    private readonly output: AlertOutput,
    private readonly errors: LineWriter,
    private readonly progress: ProgressLine,
    readonly tally: ScanTally,
    private readonly signal: AbortSignal,
    private readonly matchFilter: MatchFilter,
  ) {
    this.alerts = output.writer;
  }

  async run(options: ScanOptions, io: CliIo): Promise<void> {
    const today = new Date().toISOString().slice(0, 10);
    const s3Locations = options.paths.filter(isS3Url).length;
    let listedLocations = 0;
    let listedObjects = 0;
    const maxBytes = options.maxObjectSize ?? DEFAULT_MAX_OBJECT_BYTES;
    for (const group of groupArguments(options.paths)) {
      let entries: AsyncIterable<InputEntry>;
      if (group.kind === 'local') entries = localEntries(group.paths, io.cwd, maxBytes);
      else if (group.kind === 'stdin') entries = stdinEntries(io.stdin ?? process.stdin, this.signal, maxBytes);
      else {
        // Loaded for the first s3:// location only: the S3 client costs a local scan's start-up 0.15 s.
        const { createS3Client, clientRegion } = require('./s3/s3-client') as typeof import('./s3/s3-client');
        const { s3Entries } = require('./s3/s3-source') as typeof import('./s3/s3-source');
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
        await this.handle(entry, prepared, group.kind !== 's3');
        if (this.alerts.closed || this.signal.aborted) break;
      }
      if (this.alerts.closed || this.signal.aborted) break;
    }
    const outputFailure = this.alerts.unexpectedFailure;
    if (outputFailure !== undefined) {
      await this.reportOutputFailure(this.output.name, outputFailure);
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

  private async handle(entry: InputEntry, prepared: PreparedContent | undefined, counted: boolean): Promise<void> {
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
      case 'content': {
        this.tally.files += 1;
        if (counted) this.localBytes += entry.content.byteLength;
        if (prepared === undefined) return; // (every content entry is prepared)
        const findings: InputFindings = { records: 0, others: 0, accountedFor: 0 };
        for (const note of prepared.notes) {
          if (note.severity === 'error') {
            findings.accountedFor += 1;
            await this.reportError({ kind: 'error', source: entry.displayPath, position: '', message: note.message });
          } else await this.writeError(`${entry.displayPath}: warning: ${note.message}`);
        }
        for (const item of readPreparedRecords(prepared, entry.displayPath)) {
          if (item.kind === 'record') {
            if (isCloudTrailRecord(item.record)) {
              findings.records += 1;
              await this.scanRecord(item);
            } else {
              findings.others += 1;
              findings.firstOther ??= item.position;
            }
          } else if (item.kind === 'error') {
            findings.accountedFor += 1;
            await this.reportError(item);
          } else if (item.kind === 'unmatched') {
            findings.records += item.count;
            this.tally.records += item.count; // skipped unparsed: no rule can match them
          } else {
            findings.accountedFor += 1;
            this.tally.skippedDigests += 1;
          }
          if (this.alerts.closed) return;
        }
        await this.reportMissingRecords(entry, findings);
        this.objectsRead += 1;
        this.showProgress();
      }
    }
  }

  /**
   * An input whose JSON held no CloudTrail record at all (`{"foo":1}`, an empty file, an empty gzip) is named, so a
   * wrong folder or a truncated download does not pass as "0 alerts". Objects that are not CloudTrail records beside
   * real ones are named once per input, at the first of them.
   */
  private async reportMissingRecords(entry: { displayPath: string; content: Uint8Array }, findings: InputFindings): Promise<void> {
    if (findings.others > 0) this.tally.notCloudTrail = (this.tally.notCloudTrail ?? 0) + findings.others;
    if (findings.records === 0 && findings.accountedFor === 0) {
      this.tally.withoutRecords = (this.tally.withoutRecords ?? 0) + 1;
      const why =
        entry.content.byteLength === 0
          ? ' (the file is empty)'
          : findings.others > 0
            ? ` (${findings.others === 1 ? 'a JSON object' : `${findings.others} JSON objects`} without ${CLOUDTRAIL_RECORD_FIELDS})`
            : '';
      await this.writeError(`${entry.displayPath}: no CloudTrail records${why}`);
    } else if (findings.others > 0) {
      const more = findings.others > 1 ? ` (and ${findings.others - 1} more in this input)` : '';
      const where = findings.firstOther === undefined || findings.firstOther === '' ? entry.displayPath : `${entry.displayPath}:${findings.firstOther}`;
      await this.writeError(`${where}: not a CloudTrail record (no ${CLOUDTRAIL_RECORD_FIELDS}), skipped${more}`);
    }
  }

  private showProgress(force = false): void {
    this.progress.update((): ProgressState => ({
      objects: this.objectsRead,
      ...(this.objectsTotal === undefined ? {} : { objectsTotal: this.objectsTotal }),
      bytes: this.localBytes + (this.tally.s3?.bytes ?? 0),
      records: this.tally.records,
      alerts: this.tally.alerts,
      elapsedMs: Date.now() - this.startedAt,
    }), force);
  }

  private async scanRecord(item: RecordItem): Promise<void> {
    this.tally.records += 1;
    let evaluated: { alerts: EcsDocument[]; suppressedLines: string[] };
    try {
      evaluated = await this.evaluate(item);
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
  private async evaluate(item: RecordItem): Promise<{ alerts: EcsDocument[]; suppressedLines: string[] }> {
    const detections: Detection[] = await this.detector.detect(item.record, { receivedAt: this.receivedAt, original: item.original, envelope: item.envelope });
    const alerts: EcsDocument[] = [];
    const suppressedLines: string[] = [];
    // Matches an exception removed before they reached a stateful rule's state (docs/stateful-rules.md).
    for (const line of this.matchFilter.takeExceptedLines()) {
      this.tally.suppressedByException = (this.tally.suppressedByException ?? 0) + 1;
      suppressedLines.push(line);
    }
    for (const detection of detections) {
      if (!this.deduplicator.isFirst(detection.rule.rule.ruleId, item.record, detection.alertKey)) {
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
    const lines: string[] = [];
    if (this.output.format === 'json') {
      lines.push(JSON.stringify(alert));
    } else {
      if (!this.headerWritten) {
        this.headerWritten = true;
        lines.push(...tableHeader(this.output.table));
      }
      lines.push(...formatTableRows(alert, this.output.table));
    }
    const write = async (): Promise<void> => {
      for (const line of lines) await this.alerts.writeLine(line);
    };
    if (this.output.sharesTerminal) await this.progress.around(write);
    else await write();
  }

  private async reportError(error: InputError): Promise<void> {
    this.tally.errors += 1;
    const where = error.position === '' ? error.source : `${error.source}:${error.position}`;
    await this.writeError(`${where}: ${error.message}`);
  }

  /** Every per-input line goes through here: names in it (paths, S3 keys, list ids) are escaped for the terminal. */
  private async writeError(line: string): Promise<void> {
    await this.progress.around(() => this.errors.writeLine(printable(line)));
  }
}

type ArgumentGroup = { kind: 'local'; paths: string[] } | { kind: 's3'; location: S3Location } | { kind: 'stdin' };

/**
 * Consecutive local PATHs walk together (one file read once even if named twice); each s3:// URL stands alone, and
 * so does `-` (standard input), read where it stands in the list.
 */
function groupArguments(paths: readonly string[]): ArgumentGroup[] {
  const groups: ArgumentGroup[] = [];
  for (const path of paths) {
    if (path === STDIN_OPERAND) {
      groups.push({ kind: 'stdin' });
      continue;
    }
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

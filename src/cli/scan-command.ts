import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createDetector, type Detection, type Detector } from '../engine/detector';
import { readRecords, type InputError, type RecordItem } from '../engine/input';
import { compileRules, loadRulePack, RuleFileError, type CompiledRule } from '../engine/rules';
import { AlertDeduplicator } from './alert-dedupe';
import type { CliIo } from './cli-io';
import { LineWriter } from './line-writer';
import { emptyTally, formatSummary, type ScanTally } from './summary';
import { describeUnsupportedRule } from './unsupported-rules';
import { PROGRAM_NAME, USAGE } from './usage';
import { describeFsError, walkInputPaths } from './walk-paths';

/** The rules shipped with the package: found from this file, so the scan works from any working directory. */
export const PACKAGED_RULES_DIRECTORY = resolve(__dirname, '..', '..', 'rules');

export interface ScanOptions {
  readonly rulesDirectory?: string;
  readonly paths: readonly string[];
}

/**
 * Runs `scan`; returns the exit code (0 all inputs read, 1 some input unreadable, 2 unusable rules or none that
 * can run). Unsupported rule types are reported on stderr and do not change the exit code.
 */
export async function runScan(options: ScanOptions, io: CliIo): Promise<number> {
  const errors = new LineWriter(io.stderr);
  const rulesDirectory = options.rulesDirectory === undefined ? PACKAGED_RULES_DIRECTORY : resolve(io.cwd, options.rulesDirectory);
  let rules: CompiledRule[];
  try {
    const pack = loadRulePack(rulesDirectory);
    // Rules of types the engine cannot run yet are named, then the scan goes on with the others.
    for (const rule of pack.unsupported) await errors.writeLine(describeUnsupportedRule(rule));
    if (pack.rules.length === 0) {
      throw new RuleFileError(rulesDirectory, [{ field: '', problem: 'none of the rules in this directory can run' }]);
    }
    rules = compileRules(pack.rules);
  } catch (error) {
    await errors.writeLine(`${PROGRAM_NAME}: ${error instanceof Error ? error.message : String(error)}`);
    await errors.writeLine(USAGE);
    return 2;
  }

  const scan = new Scan(createDetector(rules), new LineWriter(io.stdout), errors, emptyTally(rules.length));
  await scan.run(options.paths, io.cwd);
  await errors.writeLine(formatSummary(scan.tally));
  return scan.tally.errors > 0 ? 1 : 0;
}

/** One run's state: the detector, the output, what has alerted already, and the counts. */
class Scan {
  private readonly receivedAt = new Date(); // one instant per run, like one Lambda invocation per event
  private readonly deduplicator = new AlertDeduplicator();

  constructor(
    private readonly detector: Detector,
    private readonly alerts: LineWriter,
    private readonly errors: LineWriter,
    readonly tally: ScanTally,
  ) {}

  async run(paths: readonly string[], cwd: string): Promise<void> {
    for await (const entry of walkInputPaths(paths, cwd)) {
      if (entry.kind === 'error') {
        await this.reportError({ kind: 'error', source: entry.displayPath, position: '', message: entry.message });
        continue;
      }
      if (entry.kind === 'skipped') {
        this.tally.skippedFiles += 1;
        continue;
      }
      await this.scanFile(entry.absolutePath, entry.displayPath);
      if (this.alerts.closed) break;
    }
    const outputFailure = this.alerts.unexpectedFailure;
    if (outputFailure !== undefined) {
      await this.reportError({ kind: 'error', source: '<stdout>', position: '', message: `cannot write alerts: ${outputFailure.message}` });
    } else if (this.alerts.closed) {
      this.tally.stoppedEarly = true;
    }
  }

  private async scanFile(absolutePath: string, displayPath: string): Promise<void> {
    let content: Buffer;
    try {
      content = await readFile(absolutePath);
    } catch (error) {
      await this.reportError({ kind: 'error', source: displayPath, position: '', message: describeFsError(error) });
      return;
    }
    this.tally.files += 1;
    for (const item of readRecords(content, displayPath)) {
      if (item.kind === 'record') await this.scanRecord(item);
      else if (item.kind === 'error') await this.reportError(item);
      else this.tally.skippedDigests += 1;
      if (this.alerts.closed) return;
    }
  }

  private async scanRecord(item: RecordItem): Promise<void> {
    this.tally.records += 1;
    let detections: Detection[];
    try {
      detections = this.detector.detect(item.record, { receivedAt: this.receivedAt, original: item.original, envelope: item.envelope });
    } catch (error) {
      // A record the engine cannot handle is an input problem like a malformed line: reported, and the scan goes on.
      await this.reportError({ ...item, kind: 'error', message: `cannot evaluate record: ${(error as Error).message}` });
      return;
    }
    for (const detection of detections) {
      if (!this.deduplicator.isFirst(detection.rule.rule.ruleId, item.record)) {
        this.tally.duplicateAlerts += 1;
        continue;
      }
      this.tally.alerts += 1;
      await this.alerts.writeLine(JSON.stringify(detection.alert));
    }
  }

  private async reportError(error: InputError): Promise<void> {
    this.tally.errors += 1;
    const where = error.position === '' ? error.source : `${error.source}:${error.position}`;
    await this.errors.writeLine(`${where}: ${error.message}`);
  }
}

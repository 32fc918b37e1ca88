/**
 * `npm run report [-- -c key=value ... --output FILE|-]`: synthesizes the detector stack in-process (offline, with the
 * context handling and cdk-nag checks of `cdk synth`) and writes an audit report in Markdown built from the
 * synthesized template and the rule pack. Default output: `cdk.out/audit-report.md` (next to the templates `cdk synth`
 * writes, never committed); `-` for stdout.
 * Exit code: 0 written, 1 synth or write failed, 2 usage error.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CliIo } from '../cli/cli-io';
import { parseCommandLine, repeatableOption, UsageError, valueOption, type CommandDeclaration } from '../cli/command-line';
import { runCommand } from '../cli/run-command';

/** Where the report goes unless `--output` says otherwise: beside the synthesized templates, out of version control. */
export const DEFAULT_REPORT_OUTPUT = 'cdk.out/audit-report.md';

export interface ReportArgs {
  readonly context: Record<string, string>;
  readonly output: string;
  readonly help: boolean;
}

const REPORT_OPTIONS = {
  context: repeatableOption<readonly [string, string]>('KEY=VALUE', 'CDK context, as `cdk synth -c KEY=VALUE` takes it (alertEmails, rulesDir, ...)', {
    short: 'c',
    parse: parseContextPair,
  }),
  output: valueOption('FILE', `write the report to FILE (directories are created; - for stdout; default ${DEFAULT_REPORT_OUTPUT})`, { short: 'o' }),
} as const;

export const REPORT_COMMAND: CommandDeclaration<typeof REPORT_OPTIONS, ReportArgs, CliIo> = {
  name: 'report',
  summary: "write the auditor's report (Markdown) from the synthesized stack and the rules",
  usage: ['report [-c KEY=VALUE]... [--output FILE|-]'],
  description: `Synthesizes the detector stack in-process (offline, with the context handling and cdk-nag checks of
cdk synth) and writes an audit report in Markdown built from the synthesized template and the rule pack
(docs/audit-report.md). From a clone, npm run report -- [options] runs the same command.`,
  options: REPORT_OPTIONS,
  examples: [
    { command: 'report -c alertEmails=secops@example.com', explanation: `the report for that configuration, in ${DEFAULT_REPORT_OUTPUT}` },
    { command: 'report -c rulesDir=my-rules --output - | less', explanation: 'a report for your own rules, read on the terminal' },
  ],
  notes: 'Exit status: 0 written; 1 the synthesis or the write failed; 2 usage error.',
  build(options) {
    if (options.output === '') throw new UsageError('--output needs a file name, or - for stdout');
    return { context: Object.fromEntries(options.context ?? []), output: options.output ?? DEFAULT_REPORT_OUTPUT, help: false };
  },
  run: writeReport,
};

function parseContextPair(pair: string): readonly [string, string] {
  const equals = pair.indexOf('=');
  if (equals <= 0) throw new UsageError(`context must be key=value, got ${JSON.stringify(pair)}`);
  return [pair.slice(0, equals), pair.slice(equals + 1)];
}

/** Parses the arguments; throws an Error with the usage problem on anything it does not know. */
export function parseReportArgs(args: readonly string[]): ReportArgs {
  const line = parseCommandLine(REPORT_COMMAND, args);
  if (line.kind === 'usage-error') throw new Error(line.message);
  return line.kind === 'help' ? { context: {}, output: DEFAULT_REPORT_OUTPUT, help: true } : line.args;
}

/** `npm run report -- ...`: the same command as `cloudtrail-stream-detector report ...`. */
export function runReport(args: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }): Promise<number> {
  return runCommand(REPORT_COMMAND, args, io);
}

function writeReport(parsed: ReportArgs, io: CliIo): number {
  // Loaded here: the CDK libraries cost a second that --help and usage errors should not pay.
  const { renderReport } = require('./report') as typeof import('./report');
  const { synthesizeForReport } = require('./synthesize') as typeof import('./synthesize');
  let report: string;
  try {
    report = renderReport(synthesizeForReport(parsed.context));
  } catch (error) {
    io.stderr.write(`report: synthesis failed: ${(error as Error).message}\n`);
    return 1;
  }
  if (parsed.output === '-') {
    io.stdout.write(report);
    return 0;
  }
  const file = resolve(io.cwd, parsed.output);
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, report);
  } catch (error) {
    io.stderr.write(`report: cannot write ${file}: ${(error as Error).message}\n`);
    return 1;
  }
  io.stderr.write(`report: wrote ${file}\n`);
  return 0;
}

// Run when started as a program (`node bin/run-ts.js src/report/main.ts ...`), not when imported by a test.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === __filename) {
  runReport(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

/**
 * `npm run report [-- -c key=value ... --output FILE|-]`: synthesizes the detector stack in-process (offline, with the
 * context handling and cdk-nag checks of `cdk synth`) and writes an audit report in Markdown built from the
 * synthesized template and the rule pack. Default output: `cdk.out/audit-report.md` (next to the templates `cdk synth`
 * writes, never committed); `-` for stdout.
 * Exit code: 0 written, 1 synth or write failed, 2 usage error.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { renderReport } from './report';
import { synthesizeForReport } from './synthesize';

/** Where the report goes unless `--output` says otherwise: beside the synthesized templates, out of version control. */
export const DEFAULT_REPORT_PATH = 'cdk.out/audit-report.md';

const USAGE = `usage: npm run report -- [-c key=value]... [--output FILE|-]   (default FILE: ${DEFAULT_REPORT_PATH})`;

export interface ReportArgs {
  readonly context: Record<string, string>;
  readonly output: string;
  readonly help: boolean;
}

/** Parses the arguments; throws an Error with a usage message on anything it does not know. */
export function parseReportArgs(args: readonly string[]): ReportArgs {
  const context: Record<string, string> = {};
  let output = DEFAULT_REPORT_PATH;
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const inline = /^(--context|--output|-o|-c)=(.*)$/s.exec(arg);
    const flag = inline ? inline[1] : arg;
    const value = (): string => {
      if (inline) return inline[2];
      if (i + 1 >= args.length) throw new Error(`${flag} needs a value`);
      return args[++i];
    };
    if (flag === '-h' || flag === '--help') help = true;
    else if (flag === '-c' || flag === '--context') {
      const pair = value();
      const equals = pair.indexOf('=');
      if (equals <= 0) throw new Error(`context must be key=value, got ${JSON.stringify(pair)}`);
      context[pair.slice(0, equals)] = pair.slice(equals + 1);
    } else if (flag === '-o' || flag === '--output') output = value();
    else throw new Error(`unknown argument ${JSON.stringify(arg)}`);
  }
  if (output === '') throw new Error('--output needs a file name, or - for stdout');
  return { context, output, help };
}

export function runReport(args: readonly string[]): number {
  let parsed: ReportArgs;
  try {
    parsed = parseReportArgs(args);
  } catch (error) {
    process.stderr.write(`report: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let report: string;
  try {
    report = renderReport(synthesizeForReport(parsed.context));
  } catch (error) {
    process.stderr.write(`report: synthesis failed: ${(error as Error).message}\n`);
    return 1;
  }
  if (parsed.output === '-') {
    process.stdout.write(report);
    return 0;
  }
  const file = resolve(parsed.output);
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, report);
  } catch (error) {
    process.stderr.write(`report: cannot write ${file}: ${(error as Error).message}\n`);
    return 1;
  }
  process.stderr.write(`report: wrote ${file}\n`);
  return 0;
}

// Run when started as a program (`node bin/run-ts.js src/report/main.ts ...`), not when imported by a test.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === __filename) process.exitCode = runReport(process.argv.slice(2));

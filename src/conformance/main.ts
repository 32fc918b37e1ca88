/**
 * `npm run conformance -- DIR`: runs the shared conformance data (KQL cases, Elastic's AWS rule pack, Elastic's
 * CloudTrail pipeline fixtures, Elasticsearch's EQL spec tests) against our engine, prints one table per suite and
 * ends with `N passed, M failed`.
 * Exit code: 0 when everything passes, 1 when something fails, 2 for usage errors or an unreadable DIR.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { commandHelp, usageLines } from '../cli/command-help';
import { parseCommandLine, type CommandDeclaration } from '../cli/command-line';
import { runEqlSuite } from './eql-suite';
import { runKqlSuite } from './kql-suite';
import { runPipelineSuite } from './pipeline-suite';
import { describeError, renderReport, totals, type SuiteResult } from './report';
import { EQL_RULES_DIR, runRulePackSuite } from './rule-pack-suite';

export interface Output {
  stdout(line: string): void;
  stderr(line: string): void;
}

/** How the command is started: an npm script of a clone, not a command of the installed program. */
const PROGRAM = 'npm run conformance --';

const CONFORMANCE_COMMAND: CommandDeclaration<Record<string, never>, string, Output> = {
  name: 'conformance',
  summary: "check the engine against Elastic's conformance data",
  usage: ['DIR'],
  description: `Runs the shared conformance data in DIR (KQL cases, Elastic's AWS rule pack, Elastic's CloudTrail
pipeline fixtures) against the engine, prints one Markdown table per suite and ends with "N passed, M failed".`,
  operands: { name: 'DIR', min: 1, max: 1, help: 'a conformance folder (the tests read CONFORMANCE_DIR, else shared/conformance beside the project)' },
  options: {},
  examples: [{ command: '"$CONFORMANCE_DIR"', explanation: 'the folder the tests read, when CONFORMANCE_DIR names it' }],
  notes: 'Exit status: 0 everything passes; 1 something fails; 2 usage error or unreadable DIR.',
  build: (_options, [directory]) => directory as string,
  run: runSuites,
};

const SUITES: readonly { title: string; run(directory: string): SuiteResult }[] = [
  { title: 'KQL cases', run: runKqlSuite },
  { title: 'Rule pack', run: (directory) => runRulePackSuite(directory) },
  { title: 'EQL rule pack', run: (directory) => runRulePackSuite(directory, EQL_RULES_DIR) },
  { title: 'ECS pipeline pairs', run: runPipelineSuite },
  { title: 'EQL spec tests', run: runEqlSuite },
];

/** Runs the command; returns the exit code. */
export function runConformance(args: readonly string[], output: Output): number {
  const line = parseCommandLine(CONFORMANCE_COMMAND, args);
  if (line.kind === 'help') {
    output.stdout(commandHelp(PROGRAM, CONFORMANCE_COMMAND).trimEnd());
    return 0;
  }
  if (line.kind === 'usage-error') {
    output.stderr(`conformance: ${line.message}\n${usageLines(PROGRAM, CONFORMANCE_COMMAND)}`);
    return 2;
  }
  return runSuites(line.args, output);
}

function runSuites(directoryArgument: string, output: Output): number {
  const USAGE = usageLines(PROGRAM, CONFORMANCE_COMMAND);
  const directory = path.resolve(directoryArgument);
  try {
    if (!fs.statSync(directory).isDirectory()) {
      output.stderr(`conformance: ${directory} is not a directory\n${USAGE}`);
      return 2;
    }
    fs.readdirSync(directory);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${describeError(error)})`;
    output.stderr(`conformance: conformance folder ${directory} ${why}\n${USAGE}`);
    return 2;
  }

  const results = SUITES.map((suite): SuiteResult => {
    try {
      return suite.run(directory);
    } catch (error) {
      // The suite's data is there but unusable (e.g. invalid JSON): one failure, with the reason.
      return { title: suite.title, passed: 0, failed: 1, tables: [], notes: [], failures: [{ id: '(suite)', reason: describeError(error) }] };
    }
  });
  if (results.every((result) => result.skipped !== undefined)) {
    output.stderr(`conformance: ${directory} holds none of the conformance suites (kql-cases.json, elastic-aws-kuery-rules/, elastic-aws-eql-rules/, elastic-cloudtrail-pipeline/, eql/)`);
    return 2;
  }
  output.stdout(`# Conformance: ${directory}\n`);
  for (const line of renderReport(results)) output.stdout(line);
  return totals(results).failed === 0 ? 0 : 1;
}

// Run when started as a program (`node bin/run-ts.js src/conformance/main.ts DIR`), not when imported by a test.
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === __filename) {
  process.exitCode = runConformance(process.argv.slice(2), {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  });
}

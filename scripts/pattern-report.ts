// Prints the Markdown table of docs/eventbridge-patterns.md for a rule directory:
//   node bin/run-ts.js scripts/pattern-report.ts DIR
import { patternReport } from '../src/engine/eventbridge/pattern-report';
import { compileRules, loadRuleDirectory } from '../src/engine/rules';

const directory = process.argv[2];
if (!directory) {
  process.stderr.write('usage: node bin/run-ts.js scripts/pattern-report.ts RULES_DIR\n');
  process.exit(2);
}
process.stdout.write(patternReport(compileRules(loadRuleDirectory(directory))));

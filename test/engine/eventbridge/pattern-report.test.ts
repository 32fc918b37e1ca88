import { join } from 'node:path';
import { patternReport } from '../../../src/engine/eventbridge/pattern-report';
import { compileRules, loadRuleDirectory } from '../../../src/engine/rules';

describe('patternReport', () => {
  it('summarizes and tabulates the seed rule', () => {
    const report = patternReport(compileRules(loadRuleDirectory(join(__dirname, '../../../rules'))));
    expect(report).toContain('1 rules: 1 precise, 0 partial, 0 broad.');
    expect(report).toContain('Deployed as 1 EventBridge rules');
    expect(report).toMatch(/\| exfiltration_rds_snapshot_export\.toml \| .+ \| precise \| aws\.rds \|/);
  });
});

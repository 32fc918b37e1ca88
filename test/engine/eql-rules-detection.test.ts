/**
 * Elastic's single-event AWS EQL rules run through the doors KQL rules run through: the detector (rule index,
 * normalization, `matches`) and `scan`. Each rule alerts on its positive record (test/engine/eql/support) and on
 * none of its near misses, and its alert carries Elastic's EQL rule fields.
 */
import { join } from 'node:path';
import { createDetector } from '../../src/engine/detector';
import { createRuleIndex } from '../../src/engine/rule-index';
import { compileRules, loadRulePack } from '../../src/engine/rules';
import { MemoryStateStore } from '../../src/engine/state';
import { runCli, scratchDirectory } from '../cli/cli-harness';
import { conformancePath, describeWithConformance } from '../support/conformance-data';
import { failed, SINGLE_EVENT_RULE_RECORDS } from './eql/support/aws-rule-records';

const RULES_DIR = 'elastic-aws-eql-rules';
const receivedAt = new Date('2026-11-20T03:16:00Z');

/** Every record of the fixtures with its own event id, and what each rule must and must not alert on. */
function trail() {
  const records: Record<string, unknown>[] = [];
  const expectations = Object.entries(SINGLE_EVENT_RULE_RECORDS).map(([file, { alerts, ignores }], i) => {
    const positive = `pos-${i}`;
    records.push({ ...alerts, eventID: positive });
    const negatives = [failed(alerts), ...ignores.map(({ record }) => record)].map((record, j) => {
      const id = `neg-${i}-${j}`;
      records.push({ ...record, eventID: id });
      return id;
    });
    return { file, positive, negatives };
  });
  return { records, expectations };
}

describeWithConformance('single-event AWS EQL rules in the detector and scan', [RULES_DIR], () => {
  const pack = loadRulePack(conformancePath(RULES_DIR));
  const ruleIdOf = new Map(pack.rules.map((rule) => [rule.sourceFile.split(/[\\/]/).pop(), rule.ruleId]));
  const { records, expectations } = trail();

  it('the detector alerts on each positive record, for its rule, and on no near miss of that rule', async () => {
    const detector = createDetector(compileRules(pack.rules), { state: new MemoryStateStore() });
    const alertedRules = new Map<string, string[]>();
    for (const record of records) {
      const detections = await detector.detect(record, { receivedAt });
      alertedRules.set(record.eventID as string, detections.map((detection) => detection.rule.rule.ruleId));
    }
    for (const { file, positive, negatives } of expectations) {
      const ruleId = ruleIdOf.get(file);
      expect({ file, alerted: alertedRules.get(positive)?.includes(ruleId as string) }).toEqual({ file, alerted: true });
      for (const negative of negatives) expect({ file, negative, alerted: alertedRules.get(negative)?.includes(ruleId as string) }).toEqual({ file, negative, alerted: false });
    }
  });

  it('the rule index narrows an EQL rule by the provider its query requires, or by the user agent it looks for', () => {
    const compiled = compileRules(pack.rules);
    const index = createRuleIndex(compiled);
    const rds = compiled.find((rule) => rule.rule.name === 'AWS RDS DB Snapshot Shared with Another Account');
    const userAgent = compiled.find((rule) => rule.rule.name === 'AWS Suspicious User Agent Fingerprint');
    const s3Call = { eventSource: 's3.amazonaws.com', eventName: 'GetObject' };
    expect(index.candidatesFor(s3Call)).not.toContain(rds);
    expect(index.candidatesFor({ eventSource: 'rds.amazonaws.com', eventName: 'ModifyDBSnapshotAttribute' })).toContain(rds);
    // Any provider and action may carry a suspicious user agent, but only a user agent holding one of its parts.
    expect(index.candidatesFor({ ...s3Call, userAgent: 'aws-cli/2.15 distrib#kali.2024' })).toContain(userAgent);
    expect(index.candidatesFor({ ...s3Call, userAgent: 'aws-cli/2.15 Linux' })).not.toContain(userAgent);
    expect(index.candidatesFor(s3Call)).not.toContain(userAgent);
  });

  it('an EQL alert carries type and language eql and the rule\'s event_category_override, as Kibana\'s rule API names them', async () => {
    const detector = createDetector(compileRules(pack.rules), { state: new MemoryStateStore() });
    const record = SINGLE_EVENT_RULE_RECORDS['exfiltration_rds_snapshot_shared_with_another_account.toml'].alerts;
    const [detection] = await detector.detect(record, { receivedAt });
    const rule = (detection.alert as any).kibana.alert.rule;
    expect(rule).toMatchObject({ name: 'AWS RDS DB Snapshot Shared with Another Account', type: 'eql', language: 'eql', event_category_override: 'event.type' });
    expect(rule.query).toContain('stringContains(aws.cloudtrail.request_parameters, "valuesToAdd=[*]")');
  });

  it('scan raises the same alerts, with every rule running (the sequence rule too)', async () => {
    const files = scratchDirectory({ 'trail/1.json': JSON.stringify({ Records: records }) });
    try {
      const run = await runCli(['scan', '--rules', conformancePath(RULES_DIR), join(files.path, 'trail')]);
      expect(run.code).toBe(0);
      const alerted = new Set(run.alerts.map((alert) => `${alert.kibana.alert.rule.rule_id} ${alert.event.id}`));
      for (const { file, positive, negatives } of expectations) {
        const ruleId = ruleIdOf.get(file) as string;
        expect({ file, alerted: alerted.has(`${ruleId} ${positive}`) }).toEqual({ file, alerted: true });
        for (const negative of negatives) expect({ file, negative, alerted: alerted.has(`${ruleId} ${negative}`) }).toEqual({ file, negative, alerted: false });
      }
      expect(run.stderr).not.toMatch(/eql sequence|not supported/);
    } finally {
      files.cleanup();
    }
  });
});

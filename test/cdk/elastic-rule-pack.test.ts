import fc from 'fast-check';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileEventPattern } from '../../src/engine/eventbridge';
import {
  EVENT_PATTERN_MAX_CHARS,
  STACK_RULE_BUDGET,
  STACK_WILDCARD_RULE_BUDGET,
  TARGETS_PER_RULE_QUOTA,
} from '../../src/engine/eventbridge/eventbridge-quotas';
import { parseKql } from '../../src/engine/kql';
import { loadRulePack, parseRuleToml } from '../../src/engine/rules';
import { cdkSynth } from '../support/cdk-cli';
import { cloudTrailDeliveryArbitrary } from '../engine/eventbridge/cloudtrail-event-arbitrary';
import { matchesEventPattern } from '../support/eventbridge-matcher';
import { conformancePath, describeWithConformance } from '../support/conformance-data';
import { synthesizeDetector, type SynthesizedDetector } from '../support/synthesize-detector';

/** Elastic's 139 AWS rules; 85 of them are `type = "query"` (KQL), the ones the detector deploys. */
const ELASTIC_DIR = conformancePath('elastic-aws-kuery-rules');
const QUERY_RULE_COUNT = 85;

/** The query-type rule files with their rule_id and query, read straight from the TOML. */
function queryRuleFiles(): { file: string; ruleId: string; query: string }[] {
  return readdirSync(ELASTIC_DIR)
    .filter((name) => name.endsWith('.toml'))
    .map((file) => ({ file, text: readFileSync(join(ELASTIC_DIR, file), 'utf8') }))
    .filter(({ text }) => /^type = "query"$/m.test(text))
    .map(({ file, text }) => {
      const rule = parseRuleToml(text, file);
      return { file, ruleId: rule.ruleId, query: rule.query };
    });
}

describeWithConformance('DetectorStack with the Elastic AWS rule folder', ['elastic-aws-kuery-rules'], () => {
  const files = queryRuleFiles();
  let synthesized: SynthesizedDetector;
  let eventRules: { Description: string; EventPattern: unknown; Targets: unknown[] }[];

  beforeAll(() => {
    // Only the query rules, so the test holds whether or not the loader accepts the other rule types.
    const rulesDir = mkdtempSync(join(tmpdir(), 'detector-elastic-rules-'));
    for (const { file } of files) copyFileSync(join(ELASTIC_DIR, file), join(rulesDir, file));
    synthesized = synthesizeDetector({ alertEmails: 'a@example.com', rulesDir });
    eventRules = Object.values(synthesized.template.findResources('AWS::Events::Rule')).map((rule) => rule.Properties);
  });

  it('deploys the 85 query rules', () => {
    expect(files).toHaveLength(QUERY_RULE_COUNT);
  });

  it('stays within the EventBridge quotas: rules per bus, wildcard rules, targets per rule, pattern size', () => {
    expect(eventRules.length).toBeGreaterThan(0);
    expect(eventRules.length).toBeLessThanOrEqual(STACK_RULE_BUDGET);
    expect(eventRules.filter((rule) => JSON.stringify(rule.EventPattern).includes('"wildcard"')).length).toBeLessThanOrEqual(
      STACK_WILDCARD_RULE_BUDGET,
    );
    for (const rule of eventRules) {
      expect(rule.Targets.length).toBeLessThanOrEqual(TARGETS_PER_RULE_QUOTA);
      expect(JSON.stringify(rule.EventPattern).length).toBeLessThanOrEqual(EVENT_PATTERN_MAX_CHARS);
      expect(rule.Description.length).toBeLessThanOrEqual(512);
    }
  });

  it('names every rule id in exactly one EventBridge rule description', () => {
    for (const { ruleId } of files) {
      expect(eventRules.filter((rule) => rule.Description.includes(ruleId))).toHaveLength(1);
    }
  });

  it('covers every rule: events matching a rule’s own pattern match a deployed pattern', () => {
    const deployed = eventRules.map((rule) => rule.EventPattern);
    let checked = 0;
    for (const { file, query } of files) {
      const ast = parseKql(query);
      const { pattern } = compileEventPattern(ast);
      const envelopes = fc.sample(cloudTrailDeliveryArbitrary(ast), { numRuns: 60, seed: 42 }).map((delivery) => delivery.envelope);
      const own = envelopes.filter((envelope) => matchesEventPattern(pattern, envelope));
      checked += own.length;
      for (const envelope of own) {
        if (!deployed.some((candidate) => matchesEventPattern(candidate, envelope))) {
          throw new Error(`${file}: no deployed pattern matches ${JSON.stringify(envelope)}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(QUERY_RULE_COUNT * 5);
  });

  it('packages rules.json with all 85 rules', () => {
    const pack = JSON.parse(readFileSync(join(synthesized.bundleDirectory, 'rules.json'), 'utf8'));
    expect(pack.rules.map((rule: { ruleId: string }) => rule.ruleId).sort()).toEqual(files.map(({ ruleId }) => ruleId).sort());
  });

  it('summarizes the rules of Elastic’s pack it cannot run yet in one line and a list', () => {
    const { rules, unsupported } = loadRulePack(ELASTIC_DIR);
    const result = cdkSynth('alertEmails=secops@example.com', `rulesDir=${ELASTIC_DIR}`);
    expect(result.status).toBe(0);
    if (unsupported.length === 0) {
      expect(result.stderr).toBe('');
      return;
    }
    expect(result.stderrLines[0]).toMatch(new RegExp(`^rules: ${unsupported.length} of ${rules.length + unsupported.length} rules not deployed: their types are not supported yet \\(.+\\):$`));
    expect(result.stderrLines.slice(1)).toEqual(unsupported.map((rule) => `  - ${rule.file.split('/').pop()} (${rule.type}): ${rule.name}`));
  });
});

import { Annotations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compileRules,
  type CompiledRule,
  loadRulePack,
  RuleFileError,
  rulePackToJson,
  type UnsupportedRule,
} from '../src/engine/rules';

export interface RulePackFile {
  /** A `rules.json` outside the repository, to be copied into the Lambda bundle. */
  readonly path: string;
  readonly rules: readonly CompiledRule[];
  /** Valid rules of types the engine cannot run yet: not deployed, reported as synth warnings. */
  readonly unsupported: readonly UnsupportedRule[];
}

/** One warning id for every skipped rule, so the warning can be acknowledged as a whole. */
export const UNSUPPORTED_RULE_WARNING_ID = 'cloudtrail-stream-detector:unsupportedRuleType';

/**
 * Loads and validates the rule directory at synth time (a broken rule fails the synth, not the Lambda) and writes
 * the rule pack the function reads at run time. The file lands in the bundle, so the asset hash follows the rules.
 * Rules of unsupported types are left out of the pack and named in a warning on `scope`, never silently dropped.
 */
export function writeRulePackFile(scope: Construct, rulesDirectory: string): RulePackFile {
  const { definitions, rules, unsupported } = loadDeployableRules(scope, rulesDirectory);
  const path = join(mkdtempSync(join(tmpdir(), 'detector-rules-')), 'rules.json');
  writeFileSync(path, rulePackToJson(definitions));
  return { path, rules, unsupported };
}

/**
 * The validation and compilation half of writeRulePackFile, without a file: what the organization forwarder
 * (which has no function) needs to build the very same EventBridge patterns as the detector.
 */
export function loadDeployableRules(scope: Construct, rulesDirectory: string) {
  const { rules: definitions, unsupported } = loadRulePack(rulesDirectory);
  for (const rule of unsupported) {
    Annotations.of(scope).addWarningV2(
      UNSUPPORTED_RULE_WARNING_ID,
      `rules: "${rule.name}" (${rule.file}) is a ${rule.type} rule: not supported yet, not deployed`,
    );
  }
  if (definitions.length === 0) {
    // The function refuses an empty pack at cold start; fail the synth instead.
    throw new RuleFileError(rulesDirectory, [{ field: '', problem: 'none of the rules in this directory can run' }]);
  }
  const rules: readonly CompiledRule[] = compileRules(definitions);
  return { definitions, rules, unsupported };
}

import { join } from 'node:path';
import { compileRules, type CompiledRule, type DetectionRule, loadRulePack, notRunningKindOf, RuleFileError, type UnsupportedRule } from '../src/engine/rules';
import { validateRuleShape } from '../src/engine/rules/validate-rule-shape';
import { packageRoot } from './package-paths';

/** The rules a detector deploys, validated and compiled at synth time. */
export interface LoadedRules {
  /** Where they came from, for messages and the audit report: a directory, or `rule objects`. */
  readonly source: string;
  /** The rules the engine runs, in load order. */
  readonly definitions: readonly DetectionRule[];
  readonly compiled: readonly CompiledRule[];
  /** Valid rules of types the engine cannot run yet: not deployed, reported once at synth. */
  readonly unsupported: readonly UnsupportedRule[];
}

/**
 * Where a detector's rules come from: a directory of TOML files in Elastic's detection-rules schema, rule objects
 * (e.g. from `parseRuleToml` of `cloudtrail-stream-detector/engine`), or the rules shipped with this package.
 * Everything is validated when the detector is constructed: a broken rule fails the synth, naming its file and field.
 */
export abstract class DetectorRules {
  /** Every `*.toml` directly in `directory` (sub-folders such as Elastic's `_deprecated/` are not read). */
  static fromDirectory(directory: string): DetectorRules {
    return new DirectoryRules(directory);
  }

  /** Rule objects, e.g. `parseRuleToml(text, 'my-rule.toml', { acceptUnsupportedType: true })`. */
  static fromRules(rules: readonly DetectionRule[]): DetectorRules {
    return new ObjectRules(rules);
  }

  /** The rules shipped with this package (`rules/`: RDS snapshot export to S3). */
  static shipped(): DetectorRules {
    return new DirectoryRules(join(packageRoot(), 'rules'));
  }

  /** Reads, validates and compiles the rules; throws `RuleFileError` naming the file and field of any problem. */
  abstract load(): LoadedRules;
}

class DirectoryRules extends DetectorRules {
  constructor(private readonly directory: string) {
    super();
  }

  load(): LoadedRules {
    const { rules, unsupported } = loadRulePack(this.directory);
    return checked(this.directory, rules, unsupported);
  }
}

class ObjectRules extends DetectorRules {
  constructor(private readonly rules: readonly DetectionRule[]) {
    super();
  }

  load(): LoadedRules {
    const supported: DetectionRule[] = [];
    const unsupported: UnsupportedRule[] = [];
    const fileByRuleId = new Map<string, string>();
    this.rules.forEach((rule, index) => {
      validateRuleShape(rule, `rules[${index}]${typeof rule?.sourceFile === 'string' ? ` (${rule.sourceFile})` : ''}`);
      const earlier = fileByRuleId.get(rule.ruleId);
      if (earlier !== undefined) throw new RuleFileError(rule.sourceFile, [{ field: 'rule.rule_id', problem: `"${rule.ruleId}" is already used by ${earlier}` }]);
      fileByRuleId.set(rule.ruleId, rule.sourceFile);
      const notRunning = notRunningKindOf(rule);
      if (notRunning === undefined) supported.push(rule);
      else unsupported.push({ file: rule.sourceFile, ruleId: rule.ruleId, name: rule.name, type: notRunning });
    });
    return checked('rule objects', supported, unsupported);
  }
}

function checked(source: string, definitions: DetectionRule[], unsupported: UnsupportedRule[]): LoadedRules {
  if (definitions.length === 0) {
    // The function refuses an empty pack at cold start; fail the synth instead.
    const problem =
      unsupported.length === 0
        ? 'no rules given'
        : `none of the ${unsupported.length} rules can run (types not supported yet: ${[...new Set(unsupported.map((rule) => rule.type))].join(', ')})`;
    throw new RuleFileError(source, [{ field: '', problem }]);
  }
  const compiled = definitions.map((rule) => {
    try {
      return compileRules([rule])[0];
    } catch (error) {
      throw new RuleFileError(rule.sourceFile, [{ field: 'rule.query', problem: (error as Error).message }]);
    }
  });
  return { source, definitions, compiled, unsupported };
}

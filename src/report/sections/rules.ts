import { compileRulePattern } from '../../engine/eventbridge';
import { compileRules, type DetectionRule } from '../../engine/rules';
import { code, cell, codeList, fenced, table } from '../markdown';
import { renderValue } from '../render-intrinsics';
import { describeResource, type ReportInput } from '../report-input';
import { ofType } from '../template';
import { relative } from 'node:path';

/** Relative to the current directory when inside it (the repository, under `npm run`), so the report is portable. */
function displayPath(path: string): string {
  const fromCwd = relative(process.cwd(), path);
  return fromCwd === '' ? '.' : fromCwd.startsWith('..') ? path : fromCwd;
}

/** Tactic, technique and sub-technique of each threat mapping, e.g. `TA0010 Exfiltration › T1567.002 Exfiltration to Cloud Storage`. */
function mitre(rule: DetectionRule): string {
  const paths = rule.threat.flatMap((mapping) => {
    const tactic = `${mapping.tactic.id} ${mapping.tactic.name}`;
    if (mapping.technique.length === 0) return [tactic];
    return mapping.technique.flatMap((technique) => {
      const name = `${technique.id} ${technique.name}`;
      return technique.subtechnique.length === 0 ? [`${tactic} › ${name}`] : technique.subtechnique.map((sub) => `${tactic} › ${name} › ${sub.id} ${sub.name}`);
    });
  });
  return paths.length > 0 ? cell(paths.join('; ')) : '**none** (the rule names no MITRE ATT&CK tactic)';
}

/** Every detection rule (with the pattern its query compiles to), the EventBridge rules in the template, unsupported rules. */
export function rulesSection(input: ReportInput): string[] {
  const eventRules = ofType(input.template, 'AWS::Events::Rule');
  const lines = [
    '## 1. Detection rules',
    '',
    `Rule directory: ${code(displayPath(input.rules.directory))}: ${input.rules.supported.length} deployed rule(s), ${input.rules.unsupported.length} unsupported (not deployed). ` +
      'Each query is compiled into an EventBridge pattern (a pre-filter; the function re-evaluates the full query on every event). ' +
      `The patterns are grouped into ${eventRules.length} EventBridge rule(s) on the default bus (§1.2).`,
    '',
    '### 1.1 Rules',
    '',
  ];
  for (const rule of input.rules.supported) {
    const { pattern, precision, notes } = compileRulePattern(compileRules([rule])[0]);
    const deployedIn = eventRules.filter(([, resource]) => String(resource.Properties?.Description ?? '').includes(rule.ruleId)).map(([id]) => id);
    lines.push(
      `#### ${rule.name}`,
      '',
      ...table(
        ['Field', 'Value'],
        [
          ['rule_id', code(rule.ruleId)],
          ['Severity', rule.severity],
          ['Risk score', String(rule.riskScore)],
          ['Type / language', `${rule.type} / ${rule.language}`],
          ['File', code(rule.sourceFile)],
          ['MITRE ATT&CK', mitre(rule)],
          ['Pattern precision', precision + (notes.length > 0 ? ` — ${cell(notes.join(' '))}` : '')],
          ['EventBridge rule', deployedIn.length > 0 ? codeList(deployedIn) : '**none found in the template**'],
        ],
      ),
      '',
      'Query:',
      '',
      ...fenced(rule.language === 'eql' ? 'eql' : 'kql', rule.query.trim()),
      '',
      'Compiled EventBridge pattern:',
      '',
      ...fenced('json', JSON.stringify(pattern, null, 2)),
      '',
    );
  }
  lines.push('### 1.2 EventBridge rules in the template', '');
  for (const [logicalId, resource] of eventRules) {
    const properties = resource.Properties ?? {};
    lines.push(
      `#### ${code(logicalId)}`,
      '',
      `${describeResource(input, logicalId)} — ${cell(String(properties.Description ?? ''))}; state ${properties.State ?? 'ENABLED'}; bus ${renderValue(properties.EventBusName ?? 'default')}.`,
      '',
      ...fenced('json', JSON.stringify(properties.EventPattern, null, 2)),
      '',
      ...table(
        ['Target', 'Dead-letter queue', 'Retry policy'],
        (properties.Targets ?? []).map((target: any) => [
          code(renderValue(target.Arn)),
          target.DeadLetterConfig ? code(renderValue(target.DeadLetterConfig.Arn)) : '**none**',
          target.RetryPolicy ? `${target.RetryPolicy.MaximumRetryAttempts} attempts, ${target.RetryPolicy.MaximumEventAgeInSeconds} s` : 'EventBridge default',
        ]),
      ),
      '',
    );
  }
  lines.push('### 1.3 Unsupported rules (not deployed)', '');
  if (input.rules.unsupported.length === 0) lines.push('None.', '');
  else lines.push(...table(['Name', 'rule_id', 'Type', 'File'], input.rules.unsupported.map((rule) => [cell(rule.name), code(rule.ruleId), rule.type, code(rule.file)])), '');
  return lines;
}

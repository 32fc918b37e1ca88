import type { CompiledRule } from '../rules';
import { compileRulePattern } from './rule-pattern';
import type { PatternPrecision } from './event-pattern';
import { groupPatterns, patternSize, serviceLabel } from './group-patterns';

/**
 * The Markdown report of how each rule's query became an EventBridge pattern: a summary (precision counts, the
 * EventBridge rules the grouping deploys, the largest pattern) and one table row per rule, in input order.
 * Pure: the caller loads the rules.
 */
export function patternReport(rules: readonly CompiledRule[]): string {
  const compiled = rules.map((rule) => ({ rule: rule.rule, ...compileRulePattern(rule) }));
  const groups = groupPatterns(compiled.map(({ rule, pattern }) => ({ ruleId: rule.ruleId, name: rule.name, pattern })));
  const counts: Record<PatternPrecision, number> = { precise: 0, partial: 0, broad: 0 };
  for (const { precision } of compiled) counts[precision] += 1;
  const largest = Math.max(0, ...groups.map((group) => patternSize(group.pattern)));
  const lines = [
    `${rules.length} rules: ${counts.precise} precise, ${counts.partial} partial, ${counts.broad} broad.`,
    `Deployed as ${groups.length} EventBridge rules; largest pattern ${largest} characters.`,
    '',
    '| File | Rule | Precision | EventBridge rule (service) | Notes |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const { rule, pattern, precision, notes } of compiled) {
    const file = rule.sourceFile.split(/[\\/]/).pop() ?? rule.sourceFile;
    lines.push(`| ${cell(file)} | ${cell(rule.name)} | ${precision} | ${cell(serviceLabel(pattern))} | ${cell(notes.join('; '))} |`);
  }
  return `${lines.join('\n')}\n`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
}

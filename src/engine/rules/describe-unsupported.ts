import { basename } from 'node:path';
import type { UnsupportedRule } from './load-rule-pack';

/**
 * Rules a pack holds but the engine cannot run yet, said once: a summary line (how many, of which types) and one
 * line per rule (file, type, name), instead of a warning per rule. Empty when there are none.
 */
export function describeUnsupportedRules(unsupported: readonly UnsupportedRule[], loadedCount: number): string[] {
  if (unsupported.length === 0) return [];
  const byType = new Map<string, number>();
  for (const rule of unsupported) byType.set(rule.type, (byType.get(rule.type) ?? 0) + 1);
  const types = [...byType].sort(([a], [b]) => a.localeCompare(b)).map(([type, count]) => `${count} ${type}`).join(', ');
  const total = loadedCount + unsupported.length;
  return [
    `${unsupported.length} of ${total} rules not deployed: their types are not supported yet (${types})`,
    ...unsupported.map((rule) => `  - ${basename(rule.file)} (${rule.type}): ${rule.name}`),
  ];
}

import type { EventPattern, EventPatternNode } from './event-pattern';
import { EVENT_PATTERN_PACKING_BUDGET, RULE_DESCRIPTION_MAX_CHARS } from './eventbridge-quotas';

/** One detection rule's compiled pattern, as input to the grouping. */
export interface PatternEntry {
  readonly ruleId: string;
  readonly name: string;
  readonly pattern: EventPattern;
}

/** One EventBridge rule to deploy: the union of its members' patterns. */
export interface PatternGroup {
  /** The AWS service the members select (see `serviceLabel`), shared by all members. */
  readonly service: string;
  readonly members: readonly PatternEntry[];
  readonly pattern: EventPattern;
  readonly description: string;
}

export interface GroupingOptions {
  /** Maximum compact-JSON length of a combined pattern (default EVENT_PATTERN_PACKING_BUDGET). */
  readonly patternBudget?: number;
  /** Maximum description length (default RULE_DESCRIPTION_MAX_CHARS). */
  readonly descriptionBudget?: number;
}

/** The size EventBridge's "event pattern size" quota is checked against here: compact JSON characters. */
export function patternSize(pattern: EventPattern): number {
  return JSON.stringify(pattern).length;
}

/**
 * The service an auditor would file a pattern under: its EventBridge `source` values (e.g. `aws.iam`), else its
 * literal `detail.eventSource` values (e.g. `bedrock.amazonaws.com`), else `any`.
 */
export function serviceLabel(pattern: EventPattern): string {
  const literals = (node: EventPatternNode | undefined) =>
    Array.isArray(node) && node.length > 0 && node.every((value) => typeof value === 'string') ? (node as string[]) : undefined;
  const source = literals(pattern.source);
  if (source) return [...source].sort().join(',');
  const detail = pattern.detail;
  const eventSource = detail && !Array.isArray(detail) ? literals((detail as EventPattern).eventSource) : undefined;
  if (eventSource) return [...eventSource].sort().join(',');
  return 'any';
}

/**
 * An event pattern matching exactly the events that at least one of `patterns` matches.
 * Top-level keys whose values are identical in every pattern (typically `source` and `detail-type`) are kept once;
 * the rest of each pattern becomes one branch of a top-level `$or` (`P ∧ (A ∨ B)` = `(P ∧ A) ∨ (P ∧ B)`, both sides
 * evaluated on the same event). A pattern with nothing left after that is implied by the shared part, which then
 * stands alone. Patterns that use `$or` themselves must not be passed (see `combinable`): `$or` is not nested.
 */
export function unionPatterns(patterns: readonly EventPattern[]): EventPattern {
  const unique = dedupe(patterns);
  if (unique.length === 0) throw new Error('unionPatterns needs at least one pattern');
  if (unique.length === 1) return unique[0];
  if (!unique.every(combinable)) throw new Error('unionPatterns: a pattern that uses $or cannot be combined');
  const [first, ...others] = unique;
  const shared: Record<string, EventPatternNode> = {};
  for (const [key, value] of Object.entries(first)) {
    const json = JSON.stringify(value);
    if (others.every((pattern) => key in pattern && JSON.stringify(pattern[key]) === json)) shared[key] = value;
  }
  const branches = dedupe(unique.map((pattern) => Object.fromEntries(Object.entries(pattern).filter(([key]) => !(key in shared)))));
  if (branches.some((branch) => Object.keys(branch).length === 0)) return shared;
  if (branches.length === 1) return { ...shared, ...branches[0] };
  return { ...shared, $or: branches };
}

/** Whether a pattern can join others in one `$or`: it must not contain `$or` at any depth. */
export function combinable(pattern: EventPattern): boolean {
  return !JSON.stringify(pattern).includes('"$or"');
}

/**
 * Packs items into as few groups as first-fit finds, in input order: each item goes into the first group that
 * still `fits` with it added, else opens a new group. An item that does not fit even alone gets a group of its own
 * (the caller checks hard limits). Pure and deterministic, so the same rules always give the same groups.
 */
export function packIntoGroups<T>(items: readonly T[], fits: (group: readonly T[]) => boolean): T[][] {
  const groups: T[][] = [];
  for (const item of items) {
    const group = groups.find((candidate) => fits([...candidate, item]));
    if (group) group.push(item);
    else groups.push([item]);
  }
  return groups;
}

/**
 * Plans the EventBridge rules for a rule pack: entries are split by service (`serviceLabel`), then packed with
 * `packIntoGroups` so that each combined pattern stays within the pattern budget and each description (which lists
 * every rule id covered) within the description budget. Entries whose pattern uses `$or` stay alone.
 * Groups come out ordered by service label, then by first member.
 */
export function groupPatterns(entries: readonly PatternEntry[], options: GroupingOptions = {}): PatternGroup[] {
  const patternBudget = options.patternBudget ?? EVENT_PATTERN_PACKING_BUDGET;
  const descriptionBudget = options.descriptionBudget ?? RULE_DESCRIPTION_MAX_CHARS;
  const byService = new Map<string, PatternEntry[]>();
  for (const entry of entries) {
    const service = serviceLabel(entry.pattern);
    byService.set(service, [...(byService.get(service) ?? []), entry]);
  }
  const groups: PatternGroup[] = [];
  for (const service of [...byService.keys()].sort()) {
    const fits = (members: readonly PatternEntry[]) =>
      (members.length === 1 || members.every((member) => combinable(member.pattern))) &&
      patternSize(unionPatterns(members.map((member) => member.pattern))) <= patternBudget &&
      describeGroup(service, members).length <= descriptionBudget;
    for (const members of packIntoGroups(byService.get(service)!, fits)) {
      groups.push({
        service,
        members,
        pattern: unionPatterns(members.map((member) => member.pattern)),
        description: describeGroup(service, members).slice(0, descriptionBudget),
      });
    }
  }
  return groups;
}

/** A single rule keeps "Name (id)"; a group lists the service and every rule id it covers. */
export function describeGroup(service: string, members: readonly PatternEntry[]): string {
  if (members.length === 1) return `${members[0].name} (${members[0].ruleId})`;
  return `${service}: ${members.length} rules: ${members.map((member) => member.ruleId).join(' ')}`;
}

function dedupe<T>(values: readonly T[]): T[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const key = JSON.stringify(value);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

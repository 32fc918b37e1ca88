import { resolve } from 'node:path';
import { withSuppressionFields } from '../engine/alerts/suppression-fields';
import type { AlertDocument } from '../engine/alerts/alert-types';
import { type Detection, suppressionDocumentOf } from '../engine/detector';
import {
  decideSuppression,
  findMatchingException,
  loadExceptionFiles,
  resolveRuleExceptions,
  suppressionKey,
  suppressionTerms,
  type ExceptionList,
  type SuppressionTerm,
  type SuppressionWindow,
} from '../engine/exceptions';
import type { CompiledRule, DetectionRule } from '../engine/rules';
import type { EcsDocument } from '../engine/ecs/ecs-document';
import { sanitizeInline } from '../engine/alerts';

export type MatchVerdict =
  | { readonly kind: 'alert'; readonly alert: AlertDocument }
  | { readonly kind: 'suppressed'; readonly by: 'exception' | 'window'; readonly line: string };

interface OpenWindow {
  readonly ruleName: string;
  readonly terms: readonly SuppressionTerm[];
  window: SuppressionWindow;
}

/**
 * The CLI's side of exceptions and alert suppression (docs/exceptions.md), applied to each first (rule, event) match:
 * - exceptions: the lists of the `--exceptions` files; a list applies to the rules whose `exceptions_list` names it,
 *   and with `--exceptions-for-all` to every rule. Expiry is judged at the run's start (like the Lambda's receive time);
 * - alert suppression: windows per rule and group_by values, over event time (`@timestamp`), in input order, kept in
 *   memory for the run. The alert that opens a window after a window with suppressed matches says how many.
 */
export class MatchFilter {
  private readonly windows = new Map<string, OpenWindow>();
  private readonly excepted: string[] = [];

  private constructor(
    private readonly lists: ReadonlyMap<string, readonly ExceptionList[]>,
    private readonly now: Date,
  ) {}

  /** Loads and checks the export files; throws (naming file, line and field) on any problem. `notes` go to stderr. */
  static load(
    rules: readonly CompiledRule[],
    options: { readonly exceptionFiles?: readonly string[]; readonly exceptionsForAll?: boolean },
    cwd: string,
    now: Date,
  ): { filter: MatchFilter; notes: string[] } {
    const files = options.exceptionFiles ?? [];
    const notes: string[] = [];
    if (files.length === 0) return { filter: new MatchFilter(new Map(), now), notes };
    const lists = loadExceptionFiles(files.map((file) => resolve(cwd, file)), { displayRoot: cwd });
    const loaded = new Set(lists.map((list) => list.listId));
    const definitions = rules.map(({ rule }) => ({
      ...rule,
      exceptionsList: rule.exceptionsList.filter((reference) => {
        if (loaded.has(reference.listId)) return true;
        notes.push(`note: rule "${rule.name}" names exception list "${reference.listId}", which no --exceptions file holds: not applied`);
        return false;
      }),
    }));
    const mapping = options.exceptionsForAll ? Object.fromEntries(rules.map(({ rule }) => [rule.ruleId, [...loaded]])) : {};
    const resolved = resolveRuleExceptions(definitions, lists, mapping);
    const used = new Set(resolved.flatMap((rule) => rule.lists.map(({ list }) => list.listId)));
    for (const list of lists) {
      if (!used.has(list.listId)) {
        notes.push(`note: exception list "${list.listId}" (${list.source.file}) applies to no rule: name it in a rule's exceptions_list, or use --exceptions-for-all`);
      }
    }
    return { filter: new MatchFilter(new Map(resolved.map((rule) => [rule.ruleId, rule.lists.map(({ list }) => list)])), now), notes };
  }

  /**
   * Whether an exception of `rule` matches `document`: the detector asks this of new_terms and threshold rules before
   * their state, as Elastic filters its searches (an excepted event is neither a sighting nor counted). The line
   * for stderr is kept for `takeExceptedLines`.
   */
  excepts(rule: DetectionRule, document: EcsDocument): boolean {
    const excepted = findMatchingException(this.lists.get(rule.ruleId) ?? [], document, this.now);
    if (excepted) {
      const eventId = typeof document.event === 'object' && document.event !== null ? (document.event as { id?: unknown }).id : undefined;
      this.excepted.push(
        `suppressed: ${rule.name} event ${typeof eventId === 'string' ? sanitizeInline(eventId, 200) : '(no id)'} by exception ${excepted.list.listId}/${excepted.item.itemId} (${excepted.item.name})`,
      );
    }
    return excepted !== undefined;
  }

  /** The lines of events `excepts` excluded since the last call. */
  takeExceptedLines(): string[] {
    return this.excepted.splice(0);
  }

  check(detection: Detection): MatchVerdict {
    const rule = detection.rule.rule;
    const eventId = eventIdOf(detection.alert);
    const excepted = findMatchingException(this.lists.get(rule.ruleId) ?? [], detection.document, this.now);
    if (excepted) {
      return {
        kind: 'suppressed',
        by: 'exception',
        line: `suppressed: ${rule.name} event ${eventId} by exception ${excepted.list.listId}/${excepted.item.itemId} (${excepted.item.name})`,
      };
    }
    const grouped = suppressionDocumentOf(detection);
    const terms = suppressionTerms(rule, grouped);
    const key = suppressionKey(rule, grouped);
    if (!rule.alertSuppression || !terms || !key) return { kind: 'alert', alert: detection.alert };
    const at = eventTime(detection.document) ?? this.now;
    const open = this.windows.get(key);
    const decision = decideSuppression(open?.window, at, rule.alertSuppression.duration, key);
    if (decision.action === 'suppress') {
      (open as OpenWindow).window = decision.window;
      return {
        kind: 'suppressed',
        by: 'window',
        line: `suppressed: ${rule.name} event ${eventId} by alert suppression (${describeTerms(terms)}) in the window ${decision.window.start} to ${decision.window.end}`,
      };
    }
    this.windows.set(key, { ruleName: rule.name, terms, window: decision.window });
    return { kind: 'alert', alert: withSuppressionFields(detection.alert, terms, decision.window, decision.suppressedSinceLastAlert, decision.previousWindow) };
  }

  /** For the end of the run: windows whose suppressed matches no later alert reported. */
  unreported(): string[] {
    return [...this.windows.values()]
      .filter((open) => open.window.suppressedCount > 0)
      .map(
        (open) =>
          `suppressed: ${open.ruleName}: ${open.window.suppressedCount} more ${open.window.suppressedCount === 1 ? 'match was' : 'matches were'} suppressed since ${open.window.start} (${describeTerms(open.terms)})`,
      );
  }
}

/** Values come from the event: made safe for a terminal like every other event value we print. */
function describeTerms(terms: readonly SuppressionTerm[]): string {
  return sanitizeInline(terms.map((term) => `${term.field}=${JSON.stringify(term.value)}`).join(', '), 500);
}

function eventIdOf(alert: AlertDocument): string {
  const event = alert.event as { id?: unknown } | undefined;
  return typeof event?.id === 'string' ? sanitizeInline(event.id, 200) : '(no id)';
}

function eventTime(document: Detection['document']): Date | undefined {
  const timestamp = document['@timestamp'];
  if (typeof timestamp !== 'string') return undefined;
  const ms = Date.parse(timestamp);
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}

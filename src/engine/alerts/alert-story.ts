import type { DetectionRule } from '../rules/detection-rule';
import type { AlertFacts } from './alert-facts';
import type { AlertDocument } from './alert-types';
import type { ConsoleLink } from './console-links';
import type { ShellCommand } from './shell-command';

/** Everything a narrator may read about one alert. */
export interface AlertSubject {
  readonly rule: DetectionRule;
  /** The alert document (ECS event + `kibana.alert.*`): fields other narrators add (new terms, sequences) are here. */
  readonly alert: AlertDocument;
  readonly facts: AlertFacts;
  readonly alertId: string;
  /** When the alert was raised (the alert's `@timestamp`). */
  readonly raisedAt: string;
}

/**
 * A wording of the action for the subject: fixed text, or text around a part that may be cut to fit (with `...`),
 * e.g. `{ shrinkable: 'orders-prod-2026-11-20', around: (part) => `exported ${part} to s3://corp-exports` }`.
 */
export type SubjectAction = string | { readonly shrinkable: string; readonly around: (part: string) => string };

/** A step of "If this was not expected, now:": what to do and why, then the commands that do it. */
export interface ResponseStep {
  /** One or two sentences, e.g. `Cancel the export task (it is still running):`. */
  readonly title: string;
  /** With this event's values filled in; empty when the step is advice only. */
  readonly commands: readonly ShellCommand[];
  /** Said after the commands, e.g. how to read their output. */
  readonly note?: string;
  /** How to take the step back (shown as `To undo it:` and the command). */
  readonly undo?: ShellCommand;
}

export interface DetailLine {
  readonly label: string;
  readonly value: string;
}

/** A titled block of `Label: value` lines in the details part of the e-mail. */
export class DetailSection {
  readonly lines: DetailLine[] = [];

  constructor(
    readonly id: string,
    readonly title: string,
  ) {}

  /** Adds a line unless the value is missing or empty. */
  add(label: string, value: string | undefined): this {
    if (value !== undefined && value !== '') this.lines.push({ label, value });
    return this;
  }
}

/**
 * What an alert says, put together by narrators (alert-narrators.ts) before it is laid out as an e-mail and a
 * subject: the event narrator that recognizes the event writes the summary and the subject's action, the others
 * add to it (the caller and how to stop them, the rule, and whatever a rule type or an enrichment knows).
 */
export class AlertStory {
  /** One sentence: what happened and who did it, e.g. `alice ... started exporting snapshot orders-prod to ...`. */
  summary = '';
  /** Who did it, in a word or two, for the subject: `alice@example.com`, `root`. */
  actor = '';
  /** What they did, for the subject after the actor, most detailed first: `exported orders-prod to s3://corp-exports`. */
  subjectActions: SubjectAction[] = [];
  /** Short lines under the summary, e.g. how many matches were suppressed since the last alert. */
  readonly notes: string[] = [];
  /** "If this was not expected, now:", in order. */
  readonly steps: ResponseStep[] = [];
  readonly links: ConsoleLink[] = [];
  /** The rule's investigation guide (Markdown) and known false positives, shown last. */
  guide = '';
  readonly falsePositives: string[] = [];
  private readonly sectionList: DetailSection[] = [];

  /** The section with this id, created (after the existing ones) with `title` when it does not exist yet. */
  section(id: string, title: string): DetailSection {
    const existing = this.sectionList.find((section) => section.id === id);
    if (existing) return existing;
    const section = new DetailSection(id, title);
    this.sectionList.push(section);
    return section;
  }

  get sections(): readonly DetailSection[] {
    return this.sectionList;
  }
}

/** Adds what it knows about an alert to the story; leaves the story alone when the alert is not its kind. */
export interface AlertNarrator {
  readonly name: string;
  narrate(story: AlertStory, subject: AlertSubject): void;
}

/**
 * Tells what the event was. The first of these that recognizes the event writes the summary, the subject's action
 * and the event's details; `narrate` returns false to let the next one try.
 */
export interface EventNarrator {
  readonly name: string;
  narrate(story: AlertStory, subject: AlertSubject): boolean;
}

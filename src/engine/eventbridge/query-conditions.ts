import type { KqlField, KqlNode, KqlValue, KqlWildcard } from '../kql/ast';
import { ACCEPT_ALL, ACCEPT_NONE, allOf, type Alternatives, anyOf, single, widened } from './alternatives';
import {
  ALWAYS_PRESENT_PATHS,
  CLOUDTRAIL_FIELD_BY_ECS_FIELD,
  CONSOLE_LOGIN,
  CONSTANT_ECS_FIELDS,
  ERROR_CODE_PATH,
  ERROR_MESSAGE_PATH,
  EVENT_NAME_PATH,
} from './cloudtrail-fields';
import { escapeWildcardText, type FieldMatcher } from './field-condition';

/**
 * Turns a KQL tree into conditions on CloudTrail fields that hold for every record the query can match.
 * Whatever cannot be expressed exactly is widened (never narrowed), with a note saying what and why.
 */
export function queryConditions(ast: KqlNode, notes: Set<string>): Alternatives {
  return new ConditionBuilder(notes).positive(ast);
}

const OUTCOME_FIELD = 'event.outcome';

class ConditionBuilder {
  constructor(private readonly notes: Set<string>) {}

  positive(node: KqlNode): Alternatives {
    switch (node.type) {
      case 'and':
        return allOf(node.children.map((child) => this.positive(child)));
      case 'or':
        return anyOf(node.children.map((child) => this.positive(child)));
      case 'not':
        return this.negative(node.child);
      case 'is':
        return this.is(node.field, node.value);
      case 'matchAll':
        return ACCEPT_ALL;
      case 'range':
        return this.drop(`range on ${fieldText(node.field)} is not expressed (EventBridge compares numbers only)`);
      case 'nested':
        return this.drop(`nested query on ${fieldText(node.path)} is not expressed`);
    }
  }

  /** Conditions for `not node`, pushed down with De Morgan's laws. */
  private negative(node: KqlNode): Alternatives {
    switch (node.type) {
      case 'not':
        return this.positive(node.child);
      case 'and':
        return anyOf(node.children.map((child) => this.negative(child)));
      case 'or':
        return allOf(node.children.map((child) => this.negative(child)));
      case 'matchAll':
        return ACCEPT_NONE;
      case 'is':
        return this.isNot(node.field, node.value);
      case 'range':
      case 'nested':
        return this.drop(`negated ${node.type} query is not expressed`);
    }
  }

  private is(field: KqlField | null, value: KqlValue): Alternatives {
    const name = plainFieldName(field);
    if (name === undefined) return this.drop(field === null ? 'free-text search is not expressed' : `field pattern ${fieldText(field)} is not expressed`);
    const constant = CONSTANT_ECS_FIELDS.get(name);
    if (constant !== undefined) return kqlValueAccepts(value, constant) ? ACCEPT_ALL : ACCEPT_NONE;
    if (name === OUTCOME_FIELD) return this.outcome(value);
    const path = CLOUDTRAIL_FIELD_BY_ECS_FIELD.get(name);
    if (!path) return this.drop(`${name} has no exact CloudTrail counterpart`);
    return single(path.join('.'), matchersFor(value));
  }

  private isNot(field: KqlField | null, value: KqlValue): Alternatives {
    const name = plainFieldName(field);
    if (name === undefined) return this.drop('negated free-text or field-pattern search is not expressed');
    const constant = CONSTANT_ECS_FIELDS.get(name);
    if (constant !== undefined) return kqlValueAccepts(value, constant) ? ACCEPT_NONE : ACCEPT_ALL;
    if (name === OUTCOME_FIELD && value.kind === 'literal') {
      if (value.value === 'success') return failureConditions();
      if (value.value === 'failure') return successConditions();
    }
    const path = CLOUDTRAIL_FIELD_BY_ECS_FIELD.get(name)?.join('.');
    // `not f:x` also holds when f is missing, which anything-but never matches: safe only for fields always present.
    if (path && ALWAYS_PRESENT_PATHS.has(path) && value.kind === 'literal') {
      return single(path, [{ kind: 'anythingBut', values: [value.value] }]);
    }
    return this.drop(`not ${name}: ${valueText(value)} is not expressed (only a positive condition can be filtered safely)`);
  }

  /**
   * `event.outcome` is `failure` when errorCode or errorMessage is present, else `success`; ConsoleLogin instead
   * takes `responseElements.ConsoleLogin` lowercased, so ConsoleLogin events are never filtered on it.
   */
  private outcome(value: KqlValue): Alternatives {
    if (value.kind === 'wildcard') {
      if (isExistsCheck(value)) return ACCEPT_ALL; // every document has an outcome
      return this.drop(`wildcard on ${OUTCOME_FIELD} is not expressed`);
    }
    if (value.value === 'success') return successConditions();
    if (value.value === 'failure') return failureConditions();
    return single(EVENT_NAME_PATH, [{ kind: 'equals', value: CONSOLE_LOGIN }]);
  }

  private drop(reason: string): Alternatives {
    this.notes.add(reason);
    return widened();
  }
}

const NOT_CONSOLE_LOGIN: FieldMatcher = { kind: 'anythingBut', values: [CONSOLE_LOGIN] };
const IS_CONSOLE_LOGIN: FieldMatcher = { kind: 'equals', value: CONSOLE_LOGIN };

/**
 * errorCode as the normalizer sees it absent: missing, or one of the values its null removal erases (null, "", "-",
 * "none"). An object holds no leaf for EventBridge and no keyword for the normalizer, so `exists: false` covers it on
 * both sides. Anything else (whitespace, a number, a real code, an array holding one) is a failure on both sides.
 */
const NO_ERROR_CODE: FieldMatcher[] = [
  { kind: 'exists', value: false },
  { kind: 'null' },
  { kind: 'equals', value: '' },
  { kind: 'equals', value: '-' },
  { kind: 'equals', value: 'none' },
];

/**
 * Success ⇒ no errorCode, in the normalizer's sense (NO_ERROR_CODE). (Success also means no errorMessage; CloudTrail
 * API-call records carry errorMessage only together with errorCode, so the pattern leaves errorMessage out, as AWS's
 * own example patterns do: a record with errorMessage alone reaches the Lambda, which finds it a failure.)
 */
function successConditions(): Alternatives {
  return anyOf([
    conjunction([
      [EVENT_NAME_PATH, [NOT_CONSOLE_LOGIN]],
      [ERROR_CODE_PATH, NO_ERROR_CODE],
    ]),
    single(EVENT_NAME_PATH, [IS_CONSOLE_LOGIN]),
  ]);
}

function failureConditions(): Alternatives {
  return anyOf([
    conjunction([
      [EVENT_NAME_PATH, [NOT_CONSOLE_LOGIN]],
      [ERROR_CODE_PATH, [{ kind: 'exists', value: true }]],
    ]),
    conjunction([
      [EVENT_NAME_PATH, [NOT_CONSOLE_LOGIN]],
      [ERROR_MESSAGE_PATH, [{ kind: 'exists', value: true }]],
    ]),
    single(EVENT_NAME_PATH, [IS_CONSOLE_LOGIN]),
  ]);
}

function conjunction(entries: [string, FieldMatcher[]][]): Alternatives {
  return { conjunctions: [new Map(entries)], exact: true };
}

/** The EventBridge matchers for a KQL value on a string field. */
function matchersFor(value: KqlValue): FieldMatcher[] {
  if (value.kind === 'literal') return [{ kind: 'equals', value: value.value }];
  const tokens = wildcardTokens(value);
  if (tokens.every((token) => token === STAR)) return [{ kind: 'exists', value: true }];
  if (tokens.length === 2 && tokens[1] === STAR) return [{ kind: 'prefix', value: tokens[0] as string }];
  if (tokens.length === 2 && tokens[0] === STAR) return [{ kind: 'suffix', value: tokens[1] as string }];
  const pattern = tokens.map((token) => (token === STAR ? '*' : escapeWildcardText(token))).join('');
  return [{ kind: 'wildcard', value: pattern }];
}

const STAR = Symbol('star');

/** Literal runs and single stars; `**` collapses to `*` (EventBridge rejects consecutive wildcards). */
function wildcardTokens(value: KqlWildcard): (string | typeof STAR)[] {
  const tokens: (string | typeof STAR)[] = [];
  value.segments.forEach((segment, index) => {
    if (index > 0 && tokens[tokens.length - 1] !== STAR) tokens.push(STAR);
    if (segment !== '') tokens.push(segment);
  });
  return tokens;
}

function isExistsCheck(value: KqlWildcard): boolean {
  return value.segments.every((segment) => segment === '');
}

/** KQL's comparison of one value against a known string (exact and case-sensitive; `*` spans anything). */
function kqlValueAccepts(value: KqlValue, text: string): boolean {
  if (value.kind === 'literal') return value.value === text;
  const source = value.segments.map((segment) => segment.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('[\\s\\S]*');
  return new RegExp(`^${source}$`).test(text);
}

function plainFieldName(field: KqlField | null): string | undefined {
  return field && field.kind === 'literal' ? field.value : undefined;
}

function fieldText(field: KqlField): string {
  return field.kind === 'literal' ? field.value : field.segments.join('*');
}

function valueText(value: KqlValue): string {
  return value.kind === 'literal' ? JSON.stringify(value.value) : value.segments.join('*');
}

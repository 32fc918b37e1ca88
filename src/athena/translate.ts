/**
 * KQL → Amazon Athena (Trino) SQL over the CloudTrail table AWS documents (see docs/athena.md).
 *
 * The translation is exact or it does not happen: every ECS field is mapped back to the CloudTrail column(s) it is
 * built from only where the normalizer's result can be reproduced in SQL, including its null removal (`null`, `""`,
 * `"-"` and `"none"` count as absent) and KQL's semantics (case-sensitive equality, `*` wildcards, any-element
 * matching over arrays, `not` being true for a missing field). Anything else throws `UntranslatableError`.
 */
import type { KqlField, KqlNode, KqlValue } from '../engine/kql/ast';
import { compileCidr } from '../engine/kql/cidr';
import { compileEqualityTest, isExistsValue, numberFromLiteral } from '../engine/kql/value-matchers';
import { compileWildcard } from '../engine/kql/wildcard';

export class UntranslatableError extends Error {}

/** Values the normalizer's first null-removal pass drops: a column holding one of them is a missing field. */
export const REMOVED_VALUES: readonly string[] = ['', '-', 'none'];
export const REMOVED_SQL = "('', '-', 'none')";
const CLOUDTRAIL_DATASET = 'aws.cloudtrail';

/** A SQL boolean, or a constant when the predicate is decided without looking at the row. */
export type Condition = { readonly constant: boolean } | { readonly sql: string };

export const TRUE: Condition = { constant: true };
export const FALSE: Condition = { constant: false };

export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A KQL wildcard as a LIKE pattern for `ESCAPE '\'`: `%`, `_` and `\` are escaped; a literal `*` stays `*`. */
export function likePattern(segments: readonly string[]): string {
  return segments.map((segment) => segment.replace(/[\\%_]/g, (c) => `\\${c}`)).join('%');
}

/** A string-valued field: `expr` is NULL exactly when the ECS field is missing, unless `removable`. */
interface StringField {
  readonly kind: 'string';
  readonly expr: string;
  /** True for raw columns: the values in REMOVED_VALUES also mean "missing". */
  readonly removable: boolean;
}

/** A field whose value does not depend on the row. */
interface ConstantField {
  readonly kind: 'constant';
  readonly value: string;
}

/** `event.outcome`, handled separately so the usual case stays a plain test of the error columns. */
interface OutcomeField {
  readonly kind: 'outcome';
}

/** `aws.cloudtrail.flattened.request_parameters.<path>`: a JSON payload column and a path inside it. */
interface FlattenedField {
  readonly kind: 'flattened';
  readonly column: string;
  readonly keys: readonly string[];
}

type FieldSql = StringField | ConstantField | OutcomeField | FlattenedField;

const column = (expr: string): StringField => ({ kind: 'string', expr, removable: true });

/** ECS fields whose value is one CloudTrail column, copied unchanged (after null removal). */
const COLUMN_FIELDS: Readonly<Record<string, string>> = {
  'event.provider': 'eventsource',
  'event.action': 'eventname',
  'cloud.region': 'awsregion',
  'source.address': 'sourceipaddress',
  'user_agent.original': 'useragent',
  'aws.cloudtrail.error_code': 'errorcode',
  'aws.cloudtrail.error_message': 'errormessage',
  'aws.cloudtrail.user_identity.type': 'useridentity.type',
  'aws.cloudtrail.user_identity.arn': 'useridentity.arn',
  'aws.cloudtrail.user_identity.access_key_id': 'useridentity.accesskeyid',
  'aws.cloudtrail.user_identity.invoked_by': 'useridentity.invokedby',
  'aws.cloudtrail.user_identity.session_context.session_issuer.arn': 'useridentity.sessioncontext.sessionissuer.arn',
  'aws.cloudtrail.user_identity.session_context.session_issuer.type': 'useridentity.sessioncontext.sessionissuer.type',
  'aws.cloudtrail.recipient_account_id': 'recipientaccountid',
  'aws.cloudtrail.event_type': 'eventtype',
  'aws.cloudtrail.request_id': 'requestid',
  'aws.cloudtrail.api_version': 'apiversion',
  'aws.cloudtrail.shared_event_id': 'sharedeventid',
  'aws.cloudtrail.vpc_endpoint_id': 'vpcendpointid',
  'aws.cloudtrail.event_version': 'eventversion',
};

/** Fields that cannot be reproduced exactly, with the reason. */
const UNTRANSLATABLE_FIELDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^source\.ip$/, 'source.ip is set only when sourceIPAddress parses as an IP address (Elasticsearch convert); Athena has no identical parser'],
  [/^source\.(as|geo)\./, 'GeoIP/ASN enrichment of source.ip; the CloudTrail table has no such data'],
  [/^aws\.cloudtrail\.(request_parameters|response_elements|additional_eventdata|service_event_details)$/, 'the keyword string is Java Map.toString() of the payload (HashMap key order, "=" separators, null values removed); the table holds JSON text'],
  [/^related\./, 'related.* is aggregated by the normalizer from several CloudTrail members'],
  [/^aws\.cloudtrail\.resources\./, 'resources[] holds one value per resource, from an array of structs; no single column'],
  [/^@timestamp$|^event\.(ingested|created)$/, 'time fields depend on delivery, not only on the record'],
];

const SERVICE_LINKED_ROLE_MARKER = ':role/aws-service-role/';

function clean(expr: string): string {
  return `NULLIF(NULLIF(NULLIF(${expr}, ''), '-'), 'none')`;
}

/** An AWS service acting (isServiceActor in src/engine/ecs/user-identity.ts): it has no user.name or user.id. */
function serviceActorCondition(): string {
  const type = 'useridentity.type';
  const issuerArn = 'useridentity.sessioncontext.sessionissuer.arn';
  return `${type} = 'AWSService' OR (${type} = 'AssumedRole' AND strpos(${issuerArn}, ${sqlString(SERVICE_LINKED_ROLE_MARKER)}) > 0)`;
}

/** `user.name` as the normalizer derives it (see src/engine/ecs/user-identity.ts). */
function userNameExpression(): string {
  const type = 'useridentity.type';
  const expression = [
    'CASE',
    `WHEN ${serviceActorCondition()} THEN NULL`,
    `ELSE COALESCE(`,
    `CASE WHEN ${type} IN ('AssumedRole', 'FederatedUser') THEN COALESCE(${clean('useridentity.sessioncontext.sessionissuer.username')}, ${clean('useridentity.username')}) ELSE ${clean('useridentity.username')} END,`,
    `CASE WHEN eventname = 'UserAuthentication' THEN ${clean(`json_extract_scalar(additionaleventdata, '$["UserName"]')`)} END)`,
    'END',
  ].join(' ');
  return `(${expression})`;
}

const FLATTENED_PAYLOADS: ReadonlyArray<readonly [string, string]> = [
  ['aws.cloudtrail.flattened.request_parameters.', 'requestparameters'],
  ['aws.cloudtrail.flattened.response_elements.', 'responseelements'],
  ['aws.cloudtrail.flattened.additional_eventdata.', 'additionaleventdata'],
  ['aws.cloudtrail.flattened.service_event_details.', 'serviceeventdetails'],
];

const SAFE_KEY = /^[A-Za-z0-9_$@:\- ]+$/;

export function fieldSql(name: string): FieldSql {
  if (name === 'event.dataset' || name === 'data_stream.dataset') return { kind: 'constant', value: CLOUDTRAIL_DATASET };
  if (name === 'cloud.provider') return { kind: 'constant', value: 'aws' };
  if (name === 'event.outcome') return { kind: 'outcome' };
  const columnName = COLUMN_FIELDS[name];
  if (columnName !== undefined) return column(columnName);
  if (name === 'user.name') return { kind: 'string', expr: userNameExpression(), removable: false };
  // The caller's account, else the trail's recipient (mapCloud); the envelope fallback never applies to the archive.
  if (name === 'cloud.account.id') return { kind: 'string', expr: `COALESCE(${clean('useridentity.accountid')}, ${clean('recipientaccountid')})`, removable: false };
  if (name === 'user.id') return { kind: 'string', expr: `(CASE WHEN ${serviceActorCondition()} THEN NULL ELSE ${clean('useridentity.principalid')} END)`, removable: false };
  // A tlsDetails block whose version is the placeholder "tlsVersion" carries nothing (mapTlsDetails).
  if (name === 'tls.client.server_name') {
    return { kind: 'string', expr: `(CASE WHEN tlsdetails.tlsversion = 'tlsVersion' THEN NULL ELSE ${clean('tlsdetails.clientprovidedhostheader')} END)`, removable: false };
  }
  for (const [prefix, payloadColumn] of FLATTENED_PAYLOADS) {
    if (name.startsWith(prefix)) {
      const keys = name.slice(prefix.length).split('.');
      if (keys.some((key) => !SAFE_KEY.test(key))) throw new UntranslatableError(`${name}: key with characters not supported in a JSON path`);
      if (keys.length > 6) throw new UntranslatableError(`${name}: path too deep`);
      return { kind: 'flattened', column: payloadColumn, keys };
    }
  }
  for (const [pattern, reason] of UNTRANSLATABLE_FIELDS) {
    if (pattern.test(name)) throw new UntranslatableError(`${name}: ${reason}`);
  }
  throw new UntranslatableError(`${name}: no exact CloudTrail column for this field`);
}

function fieldNameOf(field: KqlField | null): string {
  if (field === null) throw new UntranslatableError('free-text terms (no field) search every field');
  if (field.kind === 'wildcard') throw new UntranslatableError(`field-name pattern ${field.segments.join('*')}`);
  return field.value;
}

function isNullKeyword(value: KqlValue): boolean {
  return value.kind === 'literal' && !value.quoted && value.value === 'null';
}

/** KQL compares strings with CIDR membership when the literal is a CIDR block: not reproduced. */
function rejectCidr(name: string, value: KqlValue): void {
  if (value.kind === 'literal' && compileCidr(value.value) !== undefined) {
    throw new UntranslatableError(`${name}: CIDR literal ${value.value} (IP-range matching is not reproduced)`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Leaf predicates

function stringTest(field: StringField, name: string, value: KqlValue): Condition {
  if (isNullKeyword(value)) return FALSE;
  const removedGuard = field.removable ? ` AND ${field.expr} NOT IN ${REMOVED_SQL}` : '';
  if (value.kind === 'wildcard') {
    if (isExistsValue(value)) return { sql: `(${field.expr} IS NOT NULL${removedGuard})` };
    const matches = compileWildcard(value.segments);
    const guard = field.removable && REMOVED_VALUES.some(matches) ? removedGuard : '';
    const like = `${field.expr} LIKE ${sqlString(likePattern(value.segments))} ESCAPE '\\'`;
    return { sql: guard === '' ? like : `(${like}${guard})` };
  }
  rejectCidr(name, value);
  if (value.value === '' || (field.removable && REMOVED_VALUES.includes(value.value))) return FALSE;
  return { sql: `${field.expr} = ${sqlString(value.value)}` };
}

function constantTest(field: ConstantField, name: string, value: KqlValue): Condition {
  if (value.kind === 'literal' && compileCidr(value.value) !== undefined) rejectCidr(name, value);
  return compileEqualityTest(value)(field.value) ? TRUE : FALSE;
}

const NO_ERROR = `COALESCE(errorcode, '') IN ${REMOVED_SQL} AND COALESCE(errormessage, '') IN ${REMOVED_SQL}`;
const CONSOLE_LOGIN_RESULT = clean(`json_extract_scalar(responseelements, '$["ConsoleLogin"]')`);

/** event.outcome: ConsoleLogin takes its result from the response; everything else from the error columns. */
function outcomeTest(value: KqlValue, context: Context): Condition {
  if (value.kind === 'literal') rejectCidr('event.outcome', value);
  const test = compileEqualityTest(value);
  const simple = or([
    test('success') ? { sql: `(${NO_ERROR})` } : FALSE,
    test('failure') ? { sql: `NOT (${NO_ERROR})` } : FALSE,
  ]);
  if (context.notConsoleLogin) return simple;
  const consoleLogin: StringField = { kind: 'string', expr: `lower(${CONSOLE_LOGIN_RESULT})`, removable: false };
  const viaConsoleLogin = stringTest(consoleLogin, 'event.outcome', value);
  const isConsoleLoginResult = `eventname = 'ConsoleLogin' AND ${CONSOLE_LOGIN_RESULT} IS NOT NULL`;
  return or([
    and([{ sql: `NOT COALESCE(${isConsoleLoginResult}, FALSE)` }, simple]),
    and([{ sql: `(${isConsoleLoginResult})` }, viaConsoleLogin]),
  ]);
}

/** Every way to split the path into keys: `{"a.b": 1}` and `{"a": {"b": 1}}` are the same field. */
function keySplits(keys: readonly string[]): string[][] {
  if (keys.length === 0) return [[]];
  const result: string[][] = [];
  for (let take = 1; take <= keys.length; take++) {
    const head = keys.slice(0, take).join('.');
    for (const rest of keySplits(keys.slice(take))) result.push([head, ...rest]);
  }
  return result;
}

/**
 * The values of a flattened field as ARRAY(JSON): lax mode unwraps arrays at each step, and `[*]` unwraps the
 * value itself (and wraps a scalar as a one-element array), so elements of arrays at any step count.
 * Only an object payload has a flattened copy, hence the json_array_length guard.
 */
function flattenedValues(field: FlattenedField): string[] {
  return keySplits(field.keys).map((keys) => {
    const path = `lax $${keys.map((key) => `."${key}"[*][*]`).join('')}`;
    return `CAST(json_parse(json_query(${field.column}, ${sqlString(path)} WITH ARRAY WRAPPER)) AS ARRAY(JSON))`;
  });
}

function flattenedTest(field: FlattenedField, name: string, value: KqlValue): Condition {
  if (isNullKeyword(value)) return FALSE;
  let element: string;
  const isString = `substr(json_format(v), 1, 1) = '"'`;
  if (value.kind === 'wildcard') {
    if (isExistsValue(value)) {
      throw new UntranslatableError(`${name}: exists (f:*) on a payload field counts an object only if some leaf survives null removal`);
    }
    const matches = compileWildcard(value.segments);
    const guard = REMOVED_VALUES.some(matches) ? ` AND TRY_CAST(v AS VARCHAR) NOT IN ${REMOVED_SQL}` : '';
    element = `${isString} AND TRY_CAST(v AS VARCHAR) LIKE ${sqlString(likePattern(value.segments))} ESCAPE '\\'${guard}`;
  } else {
    rejectCidr(name, value);
    const text = value.value;
    if (REMOVED_VALUES.includes(text)) return FALSE;
    // Strings compare as text, booleans as their text true/false, numbers numerically (KQL literal 22 = JSON 22.0).
    element = `TRY_CAST(v AS VARCHAR) = ${sqlString(text)}`;
    const number = numberFromLiteral(text);
    if (number !== undefined) {
      element = `(${element} OR (regexp_like(json_format(v), '^-?[0-9]') AND TRY_CAST(v AS DOUBLE) = ${formatDouble(number)}))`;
    }
  }
  const guard = `json_array_length(${field.column}) IS NULL`;
  const anyMatch = flattenedValues(field).map((values) => `any_match(${values}, v -> ${element})`);
  return { sql: `(${guard} AND ${anyMatch.length === 1 ? anyMatch[0] : `(${anyMatch.join(' OR ')})`})` };
}

function formatDouble(value: number): string {
  const text = String(value);
  return /[.eE]/.test(text) ? `DOUBLE '${text}'` : `DOUBLE '${text}.0'`;
}

// ---------------------------------------------------------------------------------------------------------------
// Boolean structure

interface Context {
  /** A conjunct of an enclosing `and` pins event.action to values other than ConsoleLogin. */
  readonly notConsoleLogin: boolean;
}

export function and(children: readonly Condition[]): Condition {
  const parts: string[] = [];
  for (const child of children) {
    if ('constant' in child) {
      if (!child.constant) return FALSE;
    } else parts.push(child.sql);
  }
  if (parts.length === 0) return TRUE;
  return parts.length === 1 ? { sql: parts[0] } : { sql: `(${parts.join(' AND ')})` };
}

export function or(children: readonly Condition[]): Condition {
  const parts: string[] = [];
  for (const child of children) {
    if ('constant' in child) {
      if (child.constant) return TRUE;
    } else parts.push(child.sql);
  }
  if (parts.length === 0) return FALSE;
  return parts.length === 1 ? { sql: parts[0] } : { sql: `(${parts.join(' OR ')})` };
}

/** KQL `not` is true when the field is missing: NULL (unknown) becomes FALSE before negating. */
export function not(child: Condition): Condition {
  if ('constant' in child) return child.constant ? FALSE : TRUE;
  return { sql: `NOT COALESCE(${child.sql}, FALSE)` };
}

/** The event.action values an `is`/`or` node allows, when it is a plain literal list; undefined otherwise. */
function actionValues(node: KqlNode): string[] | undefined {
  if (node.type === 'is' && node.field?.kind === 'literal' && node.field.value === 'event.action' && node.value.kind === 'literal') {
    return [node.value.value];
  }
  if (node.type === 'or') {
    const all: string[] = [];
    for (const child of node.children) {
      const values = actionValues(child);
      if (values === undefined) return undefined;
      all.push(...values);
    }
    return all;
  }
  return undefined;
}

/** `f:(a or b or c)` on one string column: an IN list. */
function valueList(node: Extract<KqlNode, { type: 'or' }>): Condition | undefined {
  let name: string | undefined;
  const values: string[] = [];
  for (const child of node.children) {
    if (child.type !== 'is' || child.field?.kind !== 'literal' || child.value.kind !== 'literal') return undefined;
    if (name !== undefined && child.field.value !== name) return undefined;
    name = child.field.value;
    values.push(child.value.value);
  }
  if (name === undefined || values.length < 2) return undefined;
  const field = fieldSql(name);
  if (field.kind !== 'string') return undefined;
  const kept: string[] = [];
  for (const value of values) {
    const test = stringTest(field, name, { kind: 'literal', value, quoted: true });
    if ('sql' in test && !kept.includes(value)) kept.push(value);
  }
  if (kept.length === 0) return FALSE;
  if (kept.length === 1) return { sql: `${field.expr} = ${sqlString(kept[0])}` };
  return { sql: `${field.expr} IN (${kept.map(sqlString).join(', ')})` };
}

function translateNode(node: KqlNode, context: Context): Condition {
  switch (node.type) {
    case 'matchAll':
      return TRUE;
    case 'and': {
      const pinsAction = node.children.some((child) => {
        const values = actionValues(child);
        return values !== undefined && !values.includes('ConsoleLogin');
      });
      const inner = pinsAction ? { ...context, notConsoleLogin: true } : context;
      return and(node.children.map((child) => translateNode(child, inner)));
    }
    case 'or':
      return valueList(node) ?? or(node.children.map((child) => translateNode(child, context)));
    case 'not':
      return not(translateNode(node.child, context));
    case 'is': {
      const name = fieldNameOf(node.field);
      const field = fieldSql(name);
      switch (field.kind) {
        case 'constant':
          return constantTest(field, name, node.value);
        case 'outcome':
          return outcomeTest(node.value, context);
        case 'string':
          return stringTest(field, name, node.value);
        case 'flattened':
          return flattenedTest(field, name, node.value);
      }
      throw new UntranslatableError(`${name}: unsupported field kind`);
    }
    case 'range':
      throw new UntranslatableError(`range query on ${fieldNameOf(node.field)}`);
    case 'nested':
      throw new UntranslatableError('nested query');
  }
}

/**
 * One field's value as a SQL expression that is NULL exactly when the field is missing, for grouping (new_terms
 * terms, threshold groups); throws UntranslatableError for fields with several values or no exact column.
 */
export function singleValueSql(name: string): string {
  const field = fieldSql(name);
  if (field.kind === 'constant') return sqlString(field.value);
  if (field.kind === 'string') return field.removable ? clean(field.expr) : field.expr;
  throw new UntranslatableError(`${name}: ${field.kind === 'outcome' ? 'event.outcome' : 'a payload field'} as a term or group needs its value, not a test of it`);
}

/** The WHERE condition for a parsed KQL query; throws UntranslatableError when no exact translation exists. */
export function translateKql(ast: KqlNode): Condition {
  return translateNode(ast, { notConsoleLogin: false });
}

/** Splits a top-level conjunction into one line per conjunct, for readability. */
export function formatCondition(condition: Condition): string {
  if ('constant' in condition) return condition.constant ? 'TRUE' : 'FALSE';
  return splitTopLevelAnd(condition.sql).join('\n  AND ');
}

function splitTopLevelAnd(sql: string): string[] {
  if (!sql.startsWith('(') || !sql.endsWith(')')) return [sql];
  const inner = sql.slice(1, -1);
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (inString) {
      if (c === "'") inString = false;
      continue;
    }
    if (c === "'") inString = true;
    else if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth < 0) return [sql];
    } else if (depth === 0 && inner.startsWith(' AND ', i)) {
      parts.push(inner.slice(start, i));
      start = i + 5;
      i += 4;
    }
  }
  if (depth !== 0) return [sql];
  parts.push(inner.slice(start));
  // Only a real conjunction splits; `(a OR b)` has no top-level AND and stays whole.
  return parts.length > 1 ? parts : [sql];
}

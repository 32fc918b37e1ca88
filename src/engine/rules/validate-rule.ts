import { parseEql } from '../eql/parser';
import { formatLineColumn, locateOffset } from '../input/text-location';
import { parseKql } from '../kql';
import { closestName } from './closest-name';
import type {
  AlertSuppressionConfig,
  DetectionRule,
  RuleExceptionListReference,
  Severity, ThreatMapping, ThreatReference, ThreatTechnique } from './detection-rule';
import { RuleFileError, type RuleProblem } from './rule-file-error';
import { KNOWN_METADATA_KEYS, KNOWN_RULE_KEYS, MATURITIES, SEVERITIES } from './rule-fields';
import { describeValue, isTable, type Table } from './toml-values';
import { readNewTerms, readThreshold } from './validate-stateful-rule';

/** Rule types and query languages the engine can run; new_terms and threshold through the state port. */
export const SUPPORTED_RULE_TYPES: ReadonlySet<string> = new Set(['query', 'new_terms', 'threshold', 'eql']);
export const SUPPORTED_LANGUAGES: ReadonlySet<string> = new Set(['kuery', 'eql']);

/** Keys that only mean something to an EQL rule (Elastic's EQL rule parameters). */
const EQL_ONLY_KEYS = ['event_category_override', 'tiebreaker_field', 'timestamp_field'] as const;

const ELASTIC_DATE = /^\d{4}\/\d{2}\/\d{2}$/;
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/;
const DATE_MATH_FROM = /^now-\d+[smhd]$/;
const INTERVAL = /^\d+[smhd]$/;

export interface ValidateRuleOptions {
  /**
   * Accept a well-formed rule of a type the engine cannot run (new_terms, threshold, eql…) so a rule pack can
   * report it instead of failing. Such a rule's language is not checked either: it belongs to its type (eql, esql),
   * and its query is only parsed when it is KQL.
   */
  readonly acceptUnsupportedType?: boolean;
}

/**
 * Checks a parsed rule document against Elastic's detection-rules schema (the parts this engine relies on) and
 * returns the typed rule. Every problem found is reported at once, each naming its field.
 */
export function validateRule(document: unknown, file: string, options: ValidateRuleOptions = {}): DetectionRule {
  const problems: RuleProblem[] = [];
  const report = (field: string, problem: string): void => {
    problems.push({ field, problem });
  };

  if (!isTable(document)) throw new RuleFileError(file, [{ field: '', problem: 'the file is not a TOML table' }]);
  const metadata = requireTable(document, 'metadata', '', report);
  const rule = requireTable(document, 'rule', '', report);
  for (const key of Object.keys(document)) {
    if (key !== 'metadata' && key !== 'rule') report(key, 'unknown top-level table; expected only [metadata] and [rule]');
  }
  if (!metadata || !rule) throw new RuleFileError(file, problems);

  reportUnknownKeys(metadata, 'metadata', KNOWN_METADATA_KEYS, report);
  reportUnknownKeys(rule, 'rule', KNOWN_RULE_KEYS, report);

  const fields = new FieldReader(rule, 'rule', report);
  const meta = new FieldReader(metadata, 'metadata', report);

  const type = fields.string('type');
  const typeSupported = type === undefined || SUPPORTED_RULE_TYPES.has(type);
  if (type !== undefined && !typeSupported && !options.acceptUnsupportedType) report('rule.type', unsupportedTypeProblem(type));
  const language = fields.string('language');
  // Elastic's schema pairs them: an eql rule is written in EQL, every other type the engine runs in KQL.
  const expectedLanguage = type === 'eql' ? 'eql' : 'kuery';
  if (language !== undefined && typeSupported && (type === undefined ? !SUPPORTED_LANGUAGES.has(language) : language !== expectedLanguage)) {
    report('rule.language', SUPPORTED_LANGUAGES.has(language)
      ? `"${language}" is the language of ${language === 'eql' ? 'eql rules (type = "eql")' : 'query, new_terms and threshold rules'}; a ${type} rule's language is "${expectedLanguage}"`
      : `"${language}" is not supported; use "${expectedLanguage}" (${expectedLanguage === 'eql' ? 'EQL' : 'KQL'})`);
  }

  const query = fields.string('query');
  // The query is read in the rule's language only when that language is the type's (else one mistake, two errors).
  if (query !== undefined && language === 'kuery' && type !== 'eql') {
    try {
      parseKql(query);
    } catch (error) {
      report('rule.query', error instanceof Error ? error.message : String(error));
    }
  }
  if (query !== undefined && language === 'eql' && type === 'eql') checkEqlQuery(query, report);
  for (const key of EQL_ONLY_KEYS) {
    if (rule[key] !== undefined && type !== undefined && type !== 'eql' && typeSupported) report(`rule.${key}`, `only an eql rule has ${key}; this rule's type is "${type}"`);
  }

  // Accepted keys that would change what the rule matches if they were honoured: refusing them is the only way
  // not to alert on events they exclude (or miss events a saved query selects).
  if (Array.isArray(rule.filters) ? rule.filters.length > 0 : rule.filters !== undefined) {
    report('rule.filters', 'query filters are not evaluated by this engine; fold them into rule.query (a rule would otherwise alert on events its filters exclude)');
  }
  if (rule.saved_id !== undefined) {
    report('rule.saved_id', 'saved queries live in Kibana and cannot be resolved here; put the query in rule.query');
  }

  const ruleId = fields.string('rule_id');
  if (ruleId !== undefined && !RULE_ID.test(ruleId)) {
    report('rule.rule_id', `"${ruleId}" is not a valid id (letters, digits, '-' and '_', 3 to 128 characters; Elastic uses UUIDs)`);
  }
  const severity = fields.string('severity');
  if (severity !== undefined && !(SEVERITIES as readonly string[]).includes(severity)) {
    report('rule.severity', `"${severity}" is not one of ${SEVERITIES.join(', ')}`);
  }
  const riskScore = fields.number('risk_score');
  if (riskScore !== undefined && !(Number.isInteger(riskScore) && riskScore >= 0 && riskScore <= 100)) {
    report('rule.risk_score', `${riskScore} is not an integer from 0 to 100`);
  }
  const from = fields.optionalString('from') ?? 'now-6m';
  if (!DATE_MATH_FROM.test(from)) report('rule.from', `"${from}" is not a look-back such as "now-6m"`);
  const interval = fields.optionalString('interval') ?? '5m';
  if (!INTERVAL.test(interval)) report('rule.interval', `"${interval}" is not an interval such as "5m"`);

  const references = fields.optionalStringList('references') ?? [];
  references.forEach((reference, i) => {
    if (!/^https?:\/\/\S+$/.test(reference)) report(`rule.references[${i}]`, `"${reference}" is not an http(s) URL`);
  });

  const creationDate = meta.string('creation_date');
  const updatedDate = meta.string('updated_date');
  for (const [key, value] of [['creation_date', creationDate], ['updated_date', updatedDate]] as const) {
    if (value !== undefined && !ELASTIC_DATE.test(value)) report(`metadata.${key}`, `"${value}" is not a date written YYYY/MM/DD`);
  }
  const maturity = meta.string('maturity');
  if (maturity !== undefined && !(MATURITIES as readonly string[]).includes(maturity)) {
    report('metadata.maturity', `"${maturity}" is not one of ${MATURITIES.join(', ')}`);
  }

  // The stateful types' own tables: required by their type, refused on any other (they would be silently ignored).
  const newTerms = type === 'new_terms' ? readNewTerms(rule.new_terms, report) : undefined;
  const threshold = type === 'threshold' ? readThreshold(rule.threshold, from, metadata.min_stack_version as string | undefined, report) : undefined;
  for (const [key, owner] of [['new_terms', 'new_terms'], ['threshold', 'threshold']] as const) {
    if (rule[key] !== undefined && type !== undefined && type !== owner) report(`rule.${key}`, `only a ${owner} rule has [rule.${key}]; this rule's type is "${type}"`);
  }

  const validated = {
    sourceFile: file,
    ruleId,
    name: fields.string('name'),
    description: fields.string('description'),
    author: fields.stringList('author'),
    severity: severity as Severity,
    riskScore,
    type,
    language,
    query,
    from,
    interval,
    index: fields.stringList('index'),
    tags: fields.optionalStringList('tags') ?? [],
    references,
    falsePositives: fields.optionalStringList('false_positives') ?? [],
    note: fields.optionalString('note') ?? '',
    threat: readThreats(rule.threat, report),
    license: fields.optionalString('license'),
    version: fields.optionalNumber('version'),
    timestampOverride: fields.optionalString('timestamp_override'),
    eventCategoryOverride: fields.optionalString('event_category_override'),
    tiebreakerField: fields.optionalString('tiebreaker_field'),
    timestampField: fields.optionalString('timestamp_field'),
    investigationFields: readInvestigationFields(rule.investigation_fields, report),
    exceptionsList: readExceptionsList(rule.exceptions_list, report),
    alertSuppression: readAlertSuppression(thresholdSuppression(rule.alert_suppression, threshold), report),
    ...(newTerms ? { newTerms } : {}),
    ...(threshold ? { threshold } : {}),
    metadata: {
      creationDate,
      updatedDate,
      maturity,
      integration: meta.optionalStringList('integration') ?? [],
    },
  };
  if (problems.length > 0) throw new RuleFileError(file, problems);
  return validated as DetectionRule;
}

/**
 * An EQL rule's query parses (the error names its line and column in the query) and means something for a rule
 * run on each event as it arrives: `| head` / `| tail` cut a search's result list, which a stream does not have.
 */
function checkEqlQuery(query: string, report: (field: string, problem: string) => void): void {
  try {
    const parsed = parseEql(query);
    const [pipe] = parsed.pipes;
    if (pipe) {
      const at = locateOffset(query, pipe.start);
      report('rule.query', `${formatLineColumn(at)}: | ${pipe.kind} keeps the first or last results of a search; a rule evaluated on each event as it arrives has no result list to cut: remove the pipe`);
    }
  } catch (error) {
    report('rule.query', error instanceof Error ? error.message : String(error));
  }
}

/** Why a rule of this type cannot run; shared with the rule pack loader's strict mode. */
export function unsupportedTypeProblem(type: string): string {
  return `"${type}" rules are not supported; this engine runs: ${[...SUPPORTED_RULE_TYPES].join(', ')}`;
}

class FieldReader {
  constructor(
    private readonly table: Table,
    private readonly prefix: string,
    private readonly report: (field: string, problem: string) => void,
  ) {}

  string(key: string): string | undefined {
    const value = this.table[key];
    if (value === undefined) return this.missing(key, 'a string');
    if (typeof value !== 'string' || value.trim() === '') return this.wrong(key, 'a non-empty string', value);
    return value;
  }

  optionalString(key: string): string | undefined {
    return this.table[key] === undefined ? undefined : this.string(key);
  }

  number(key: string): number | undefined {
    const value = this.table[key];
    if (value === undefined) return this.missing(key, 'a number');
    if (typeof value !== 'number' && typeof value !== 'bigint') return this.wrong(key, 'a number', value);
    return Number(value);
  }

  optionalNumber(key: string): number | undefined {
    return this.table[key] === undefined ? undefined : this.number(key);
  }

  stringList(key: string): string[] | undefined {
    const value = this.table[key];
    if (value === undefined) return this.missing(key, 'a list of strings');
    if (!Array.isArray(value) || value.length === 0) return this.wrong(key, 'a non-empty list of strings', value);
    const bad = value.findIndex((item) => typeof item !== 'string' || item.trim() === '');
    if (bad >= 0) {
      this.report(`${this.prefix}.${key}[${bad}]`, `expected a non-empty string, found ${describeValue(value[bad])}`);
      return undefined;
    }
    return value as string[];
  }

  optionalStringList(key: string): string[] | undefined {
    const value = this.table[key];
    if (value === undefined) return undefined;
    if (Array.isArray(value) && value.length === 0) return [];
    return this.stringList(key);
  }

  private missing(key: string, what: string): undefined {
    this.report(`${this.prefix}.${key}`, `missing; expected ${what}`);
    return undefined;
  }

  private wrong(key: string, what: string, value: unknown): undefined {
    this.report(`${this.prefix}.${key}`, `expected ${what}, found ${describeValue(value)}`);
    return undefined;
  }
}

function readThreats(value: unknown, report: (field: string, problem: string) => void): ThreatMapping[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    report('rule.threat', `expected [[rule.threat]] entries, found ${describeValue(value)}`);
    return [];
  }
  return value.flatMap((entry, i): ThreatMapping[] => {
    const at = `rule.threat[${i}]`;
    if (!isTable(entry)) {
      report(at, `expected a table, found ${describeValue(entry)}`);
      return [];
    }
    const framework = typeof entry.framework === 'string' ? entry.framework : undefined;
    if (!framework) report(`${at}.framework`, 'missing; expected e.g. "MITRE ATT&CK"');
    const tactic = readThreatReference(entry.tactic, `${at}.tactic`, report);
    const techniques = entry.technique === undefined ? [] : entry.technique;
    if (!Array.isArray(techniques)) {
      report(`${at}.technique`, `expected [[rule.threat.technique]] entries, found ${describeValue(techniques)}`);
      return [];
    }
    const technique = techniques.flatMap((item, j): ThreatTechnique[] => {
      const reference = readThreatReference(item, `${at}.technique[${j}]`, report);
      if (!reference || !isTable(item)) return [];
      const subs = item.subtechnique === undefined ? [] : item.subtechnique;
      if (!Array.isArray(subs)) {
        report(`${at}.technique[${j}].subtechnique`, `expected a list of tables, found ${describeValue(subs)}`);
        return [];
      }
      const subtechnique = subs.flatMap((sub, k) => {
        const parsed = readThreatReference(sub, `${at}.technique[${j}].subtechnique[${k}]`, report);
        return parsed ? [parsed] : [];
      });
      return [{ ...reference, subtechnique }];
    });
    return framework && tactic ? [{ framework, tactic, technique }] : [];
  });
}

function readThreatReference(
  value: unknown,
  at: string,
  report: (field: string, problem: string) => void,
): ThreatReference | undefined {
  if (!isTable(value)) {
    report(at, `expected a table with id, name and reference, found ${describeValue(value)}`);
    return undefined;
  }
  let ok = true;
  for (const key of ['id', 'name', 'reference'] as const) {
    if (typeof value[key] !== 'string' || (value[key] as string).trim() === '') {
      report(`${at}.${key}`, `expected a non-empty string, found ${describeValue(value[key])}`);
      ok = false;
    }
  }
  return ok ? { id: value.id as string, name: value.name as string, reference: value.reference as string } : undefined;
}

function readInvestigationFields(value: unknown, report: (field: string, problem: string) => void): string[] {
  if (value === undefined) return [];
  const names = isTable(value) ? value.field_names : undefined;
  if (!Array.isArray(names) || names.some((name) => typeof name !== 'string')) {
    report('rule.investigation_fields.field_names', 'expected a list of field names');
    return [];
  }
  return names as string[];
}

const NAMESPACE_TYPES = ['single', 'agnostic'] as const;
const SUPPRESSION_UNITS = ['s', 'm', 'h'] as const;
const MISSING_FIELDS_STRATEGIES = ['suppress', 'doNotSuppress'] as const;

/** `exceptions_list = [{ id, list_id, namespace_type, type }]`, Elastic's shape; `id` is optional here. */
function readExceptionsList(value: unknown, report: (field: string, problem: string) => void): RuleExceptionListReference[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    report('rule.exceptions_list', `expected a list of { list_id, namespace_type, type } tables, found ${describeValue(value)}`);
    return [];
  }
  return value.flatMap((entry, i): RuleExceptionListReference[] => {
    const at = `rule.exceptions_list[${i}]`;
    if (!isTable(entry)) {
      report(at, `expected a table with list_id, namespace_type and type, found ${describeValue(entry)}`);
      return [];
    }
    let ok = true;
    for (const key of Object.keys(entry)) {
      if (!['id', 'list_id', 'namespace_type', 'type'].includes(key)) {
        report(`${at}.${key}`, 'unknown field; expected id, list_id, namespace_type and type');
        ok = false;
      }
    }
    for (const key of ['list_id', 'type'] as const) {
      if (typeof entry[key] !== 'string' || (entry[key] as string).trim() === '') {
        report(`${at}.${key}`, `expected a non-empty string, found ${describeValue(entry[key])}`);
        ok = false;
      }
    }
    if (entry.id !== undefined && (typeof entry.id !== 'string' || entry.id.trim() === '')) {
      report(`${at}.id`, `expected a non-empty string, found ${describeValue(entry.id)}`);
      ok = false;
    }
    const namespaceType = entry.namespace_type ?? 'single';
    if (typeof namespaceType !== 'string' || !(NAMESPACE_TYPES as readonly string[]).includes(namespaceType)) {
      report(`${at}.namespace_type`, `${describeValue(namespaceType)} is not one of ${NAMESPACE_TYPES.join(', ')}`);
      ok = false;
    }
    if (!ok) return [];
    return [{
      ...(entry.id !== undefined ? { id: entry.id as string } : {}),
      listId: entry.list_id as string,
      namespaceType: namespaceType as RuleExceptionListReference['namespaceType'],
      type: entry.type as string,
    }];
  });
}

/** `[rule.alert_suppression]`: group_by (1 to 3 fields), duration { value, unit s/m/h }, missing_fields_strategy. */
function readAlertSuppression(value: unknown, report: (field: string, problem: string) => void): AlertSuppressionConfig | undefined {
  if (value === undefined) return undefined;
  const at = 'rule.alert_suppression';
  if (!isTable(value)) {
    report(at, `expected a table, found ${describeValue(value)}`);
    return undefined;
  }
  let ok = true;
  const fail = (field: string, problem: string): void => {
    report(`${at}.${field}`, problem);
    ok = false;
  };
  for (const key of Object.keys(value)) {
    if (!['group_by', 'duration', 'missing_fields_strategy'].includes(key)) {
      fail(key, 'unknown field; expected group_by, duration and missing_fields_strategy');
    }
  }
  const groupBy = value.group_by;
  if (!Array.isArray(groupBy) || groupBy.length < 1 || groupBy.length > 3) {
    fail('group_by', `expected a list of 1 to 3 field names, found ${describeValue(groupBy)}${Array.isArray(groupBy) && groupBy.length > 3 ? ` of ${groupBy.length}` : ''}`);
  } else {
    groupBy.forEach((field, i) => {
      if (typeof field !== 'string' || field.trim() === '') fail(`group_by[${i}]`, `expected a field name, found ${describeValue(field)}`);
    });
    if (new Set(groupBy).size !== groupBy.length) fail('group_by', 'names a field more than once');
  }
  const duration = value.duration;
  let durationValue: number | undefined;
  let unit: string | undefined;
  if (!isTable(duration)) {
    fail('duration', `missing; expected e.g. { value = 5, unit = "m" } (a streaming engine has no rule executions to suppress within), found ${describeValue(duration)}`);
  } else {
    const raw = duration.value;
    durationValue = typeof raw === 'bigint' ? Number(raw) : typeof raw === 'number' ? raw : undefined;
    if (durationValue === undefined || !Number.isInteger(durationValue) || durationValue < 1) {
      fail('duration.value', `expected a positive integer, found ${describeValue(raw)}`);
    }
    unit = typeof duration.unit === 'string' ? duration.unit : undefined;
    if (unit === undefined || !(SUPPRESSION_UNITS as readonly string[]).includes(unit)) {
      fail('duration.unit', `${describeValue(duration.unit)} is not one of ${SUPPRESSION_UNITS.join(', ')}`);
    }
    for (const key of Object.keys(duration)) {
      if (key !== 'value' && key !== 'unit') fail(`duration.${key}`, 'unknown field; expected value and unit');
    }
  }
  const strategy = value.missing_fields_strategy ?? 'suppress';
  if (typeof strategy !== 'string' || !(MISSING_FIELDS_STRATEGIES as readonly string[]).includes(strategy)) {
    fail('missing_fields_strategy', `${describeValue(strategy)} is not one of ${MISSING_FIELDS_STRATEGIES.join(', ')}`);
  }
  if (!ok) return undefined;
  return {
    groupBy: groupBy as string[],
    duration: { value: durationValue as number, unit: unit as AlertSuppressionConfig['duration']['unit'] },
    missingFieldsStrategy: strategy as AlertSuppressionConfig['missingFieldsStrategy'],
  };
}

/**
 * A threshold rule's `[rule.alert_suppression]` holds only `duration` in Elastic's schema (ThresholdAlertSuppression):
 * its alerts are suppressed per threshold group. Read as a suppression grouped by the threshold's fields.
 */
function thresholdSuppression(value: unknown, threshold: DetectionRule['threshold']): unknown {
  if (threshold === undefined || !isTable(value) || value.group_by !== undefined || threshold.fields.length === 0) return value;
  return { ...value, group_by: [...threshold.fields] };
}

function requireTable(
  document: Table,
  key: string,
  prefix: string,
  report: (field: string, problem: string) => void,
): Table | undefined {
  const value = document[key];
  if (isTable(value)) return value;
  report(prefix ? `${prefix}.${key}` : key, value === undefined ? `missing [${key}] table` : `expected a table, found ${describeValue(value)}`);
  return undefined;
}

function reportUnknownKeys(
  table: Table,
  prefix: string,
  known: ReadonlySet<string>,
  report: (field: string, problem: string) => void,
): void {
  for (const key of Object.keys(table)) {
    if (known.has(key)) continue;
    const suggestion = closestName(key, known);
    report(`${prefix}.${key}`, `unknown field${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`);
  }
}

import fc from 'fast-check';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { logLines } from '../../src/conformance/pipeline-comparison';
import { readRecords } from '../../src/engine/input';
import { INDEXED_FIELDS } from '../../src/engine/rule-index/record-keys';
import { compileRules, loadRulePack, type CompiledRule } from '../../src/engine/rules';
import { isSequenceRule } from '../../src/engine/rules/eql-rule';
import { cloudTrailDeliveryArbitrary } from '../engine/eventbridge/cloudtrail-event-arbitrary';
import { conformancePath } from './conformance-data';

const REPO_ROOT = join(__dirname, '../..');
export const ELASTIC_PACK = conformancePath('elastic-aws-kuery-rules');
export const hasElasticPack = existsSync(ELASTIC_PACK);
export const ELASTIC_EQL_PACK = conformancePath('elastic-aws-eql-rules');
export const hasElasticEqlPack = existsSync(ELASTIC_EQL_PACK);

/**
 * Every rule of Elastic's AWS packs when available (the kuery pack's query, new_terms and threshold rules, the EQL
 * pack's single-event rules: sequences do not run yet), and always the packaged rules.
 */
export function everyPackRule(): CompiledRule[] {
  return compileRules([
    ...loadRulePack(join(REPO_ROOT, 'rules')).rules,
    ...(hasElasticPack ? loadRulePack(ELASTIC_PACK).rules : []),
    ...(hasElasticEqlPack ? loadRulePack(ELASTIC_EQL_PACK).rules.filter((rule) => !isSequenceRule(rule)) : []),
  ]);
}

/** How many rules everyPackRule loads here: 1 packaged, 139 of the kuery pack, 26 single-event EQL rules. */
export const EVERY_PACK_RULE_COUNT = 1 + (hasElasticPack ? 139 : 0) + (hasElasticEqlPack ? 26 : 0);

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((name) => filesUnder(join(path, name)));
}

export interface SampleRecord {
  readonly source: string;
  readonly record: unknown;
  readonly original?: string;
  readonly envelope?: Record<string, unknown>;
}

/**
 * Real records: the sample trail, and when the conformance data is there the ingest-pipeline fixtures (with and
 * without expected documents) and the real RDS events.
 */
export function sampleRecords(): SampleRecord[] {
  const fromFiles = (path: string): SampleRecord[] =>
    filesUnder(path)
      .filter((file) => /\.(json|jsonl|gz)$/.test(file))
      .flatMap((file) => [...readRecords(readFileSync(file), file)])
      .flatMap((item) => (item.kind === 'record' ? [{ source: item.source, record: item.record, original: item.original, envelope: item.envelope as Record<string, unknown> | undefined }] : []));
  const samples = fromFiles(join(REPO_ROOT, 'samples/trail'));
  const rds = conformancePath('real-rds-events');
  if (existsSync(rds)) samples.push(...fromFiles(rds));
  const pipeline = conformancePath('elastic-cloudtrail-pipeline');
  if (existsSync(pipeline)) {
    for (const file of filesUnder(pipeline).filter((name) => name.endsWith('.log'))) {
      for (const line of logLines(file)) {
        try {
          samples.push({ source: file, record: JSON.parse(line) as unknown, original: line });
        } catch {
          // a fixture line that is not JSON tests the pipeline's error path, not rules
        }
      }
    }
  }
  return samples;
}

/** Raw values the normalizer treats specially, or near misses of a usual value. */
const oddValue = (usual: unknown) =>
  fc.constantFrom<unknown>(undefined, null, '', '-', 'none', 42, 1.5e300, true, ['x'], { a: 1 }, `${String(usual)}X`, String(usual).slice(0, -1), `X${String(usual)}`);

function withValueAt(record: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...record };
  const [head, ...rest] = path as [string, ...string[]];
  if (rest.length === 0) {
    if (value === undefined) delete copy[head];
    else copy[head] = value;
    return copy;
  }
  const inner = copy[head];
  copy[head] = withValueAt(typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>) : {}, rest, value);
  return copy;
}

function valueAt(record: unknown, path: readonly string[]): unknown {
  let current = record;
  for (const key of path) current = typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[key] : undefined;
  return current;
}

/**
 * CloudTrail records (and their EventBridge envelopes) aimed at one of `rules`, so that a good share match it, with
 * some indexed member (eventName, userIdentity.type, userAgent, ...) sometimes replaced by an odd value.
 */
export function deliveryAimedAtSomeRule(rules: readonly CompiledRule[]): fc.Arbitrary<{ record: Record<string, unknown>; envelope: Record<string, unknown> }> {
  const paths = [...INDEXED_FIELDS.values()];
  return fc
    .integer({ min: 0, max: rules.length - 1 })
    .chain((position) => cloudTrailDeliveryArbitrary(rules[position]?.ast))
    .chain(({ record, envelope }) =>
      fc.record({
        record: fc.constant(record),
        envelope: fc.constant(envelope),
        changes: fc.array(
          fc.integer({ min: 0, max: paths.length - 1 }).chain((n) => fc.tuple(fc.constant(paths[n] as readonly string[]), oddValue(valueAt(record, paths[n] as readonly string[])))),
          { maxLength: 2 },
        ),
        odd: fc.integer({ min: 0, max: 3 }),
      }),
    )
    .chain(({ record, envelope, changes, odd }) =>
      fc.record({
        // Three times in four the record stays as aimed (so that it matches), else one or two members get odd values.
        record: fc.constant(odd === 0 ? changes.reduce((changed, [path, value]) => withValueAt(changed, path, value), record) : record),
        envelope: fc.constant(envelope),
        payloadShape: fc.constantFrom('as generated', 'as generated', 'arrays', 'dotted keys', 'numbers'),
      }),
    )
    .map(({ record, envelope, payloadShape }) => ({ record: reshapePayload(record, payloadShape), envelope }));
}

/**
 * The same request parameters in shapes the flattened payload fields read alike or not: every value also in an array
 * (`{"key": ["a", "x"]}`), nested members as one dotted key (`{"a.b": 1}` is `a.b` to KQL), strings as numbers.
 */
function reshapePayload(record: Record<string, unknown>, shape: string): Record<string, unknown> {
  const parameters = record.requestParameters;
  if (shape === 'as generated' || typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) return record;
  const reshape = (value: unknown, prefix: string, into: Record<string, unknown>): void => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) {
        if (shape === 'dotted keys') reshape(inner, prefix === '' ? key : `${prefix}.${key}`, into);
        else {
          const nested: Record<string, unknown> = {};
          reshape(inner, '', nested);
          into[key] = typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? nested : nested[''];
        }
      }
      return;
    }
    if (shape === 'arrays') into[prefix] = [value, 'x'];
    else if (shape === 'numbers') into[prefix] = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    else into[prefix] = value;
  };
  const reshaped: Record<string, unknown> = {};
  reshape(parameters, '', reshaped);
  return { ...record, requestParameters: reshaped };
}

import fc from 'fast-check';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { DetectionContext } from '../../../src/engine/alerts/alert-types';
import { createDetector } from '../../../src/engine/detector';
import { readRecords } from '../../../src/engine/input';
import { createRawPrefilter, prefilterRecords, splitRecordsArray } from '../../../src/engine/input/raw-prefilter';
import { readRecordsForRules } from '../../../src/engine/input/read-prefiltered';
import { compileRules, loadRulePack, type CompiledRule, type DetectionRule } from '../../../src/engine/rules';
import { startExportTaskRecord } from '../../support/cloudtrail-records';
import { cloudTrailDeliveryArbitrary } from '../eventbridge/cloudtrail-event-arbitrary';
import { conformancePath } from '../../support/conformance-data';

const REPO_ROOT = join(__dirname, '../../..');
const ELASTIC_PACK = conformancePath('elastic-aws-kuery-rules');
const packaged = loadRulePack(join(REPO_ROOT, 'rules')).rules;
const seed = packaged[0] as DetectionRule;

function rulesFor(...queries: string[]): CompiledRule[] {
  return compileRules(queries.map((query, n) => ({ ...seed, ruleId: `rule-${n}`, query })));
}

const ruleSets: Record<string, CompiledRule[]> = {
  seed: compileRules(packaged),
  actions: rulesFor('event.action:(StartExportTask or Delete*)', 'event.provider:iam.amazonaws.com and event.action:CreateRole'),
  providerOnly: rulesFor('event.provider:"kms.amazonaws.com" and event.outcome:failure', 'event.action:"Weird \\"quoted\\" name"'),
  otherFields: rulesFor('user_agent.original: (*S3 Browser* or *Cyber\\"duck*)', 'aws.cloudtrail.user_identity.type: "Root" and event.outcome: success', 'aws.cloudtrail.user_identity.access_key_id: AKIA*'),
  ...(existsSync(ELASTIC_PACK) ? { elasticQueryRules: compileRules(loadRulePack(ELASTIC_PACK).rules.filter((rule) => rule.type === 'query')) } : {}),
};
const context: DetectionContext = { receivedAt: new Date('2026-01-02T03:04:05.000Z') };

/** Alerts (rule id + document) and errors from a file, the way the scan reads it. */
async function scanOutcome(items: Iterable<{ kind: string }>, rules: CompiledRule[]): Promise<{ alerts: unknown[]; errors: unknown[]; records: number }> {
  const detector = createDetector(rules);
  const alerts: unknown[] = [];
  const errors: unknown[] = [];
  let records = 0;
  for (const item of items as Iterable<any>) {
    if (item.kind === 'unmatched') records += item.count;
    if (item.kind === 'error') errors.push(item);
    if (item.kind !== 'record') continue;
    records += 1;
    try {
      for (const detection of await detector.detect(item.record, { ...context, original: item.original, envelope: item.envelope })) {
        alerts.push({ rule: detection.rule.rule.ruleId, alert: detection.alert, position: item.position });
      }
    } catch (error) {
      errors.push(String(error));
    }
  }
  return { alerts, errors, records };
}

async function expectSameAsFullParse(content: Uint8Array | string, source: string, rules: CompiledRule[]): ReturnType<typeof scanOutcome> {
  const full = await scanOutcome(readRecords(content, source), rules);
  const prefiltered = await scanOutcome(readRecordsForRules(content, source, rules), rules);
  expect(prefiltered).toEqual(full);
  return prefiltered;
}

describe('raw pre-filter', () => {
  it('derives needles from the rules, and gives up when some rule could match anything', () => {
    expect(createRawPrefilter(ruleSets.seed as CompiledRule[])?.needles).toEqual(['"StartExportTask"']);
    expect([...(createRawPrefilter(ruleSets.actions as CompiledRule[])?.needles ?? [])].sort()).toEqual(['"CreateRole"', '"Delete', '"StartExportTask"']);
    expect([...(createRawPrefilter(ruleSets.providerOnly as CompiledRule[])?.needles ?? [])].sort()).toEqual(['"Weird \\"quoted\\" name"', '"kms.amazonaws.com"']);
    expect(createRawPrefilter(rulesFor('event.outcome:failure'))).toBeUndefined();
    expect(createRawPrefilter(rulesFor('event.action:StartExportTask', 'source.ip:10.0.0.0/8'))).toBeUndefined();
    // Numbers and booleans also become keyword text, so their raw form is not a quoted string.
    expect(createRawPrefilter(rulesFor('event.action:"123"'))).toBeUndefined();
    expect(createRawPrefilter(rulesFor('event.action:tr*'))).toBeUndefined();
    // Other fields a record holds verbatim: the user's type (a poor needle, taken only when nothing better is there),
    // a prefix of the access key, a part of the user agent.
    expect(createRawPrefilter(rulesFor('aws.cloudtrail.user_identity.type: IAMUser and user_agent.original: *S3 Browser*'))?.needles).toEqual(['S3 Browser']);
    expect(createRawPrefilter(rulesFor('aws.cloudtrail.user_identity.type: IAMUser and event.outcome: success'))?.needles).toEqual(['"IAMUser"']);
    expect(createRawPrefilter(rulesFor('aws.cloudtrail.user_identity.access_key_id: AKIA*'))?.needles).toEqual(['"AKIA']);
    // A provider is on a fifth of a trail's records: a part of the user agent or an API name is the better needle.
    expect(createRawPrefilter(rulesFor('event.provider: "ec2.amazonaws.com" and user_agent.original: *Cyberduck*'))?.needles).toEqual(['Cyberduck']);
    expect(createRawPrefilter(rulesFor('event.provider: "ec2.amazonaws.com" and event.outcome: failure'))?.needles).toEqual(['"ec2.amazonaws.com"']);
    expect(createRawPrefilter(rulesFor('user_agent.original: *1.5*'))).toBeUndefined();
    expect(createRawPrefilter(rulesFor('user_agent.original: *ru*'))).toBeUndefined();
    if (existsSync(ELASTIC_PACK)) expect(createRawPrefilter(compileRules(loadRulePack(ELASTIC_PACK).rules))).toBeDefined();
  });

  it('validates exactly as JSON.parse does, and cuts out the same elements', () => {
    const texts = fc.oneof(
      fc.json(),
      fc.array(fc.jsonValue()).map((records) => JSON.stringify({ Records: records })),
      fc.tuple(fc.dictionary(fc.string(), fc.jsonValue()), fc.array(fc.jsonValue()), fc.constantFrom(undefined, 1, '\t')).map(([others, records, indent]) =>
        JSON.stringify({ ...others, Records: records }, null, indent),
      ),
    );
    // Random damage: most of it makes the text invalid, which the splitter must notice.
    const damaged = fc.tuple(texts, fc.nat(), fc.nat(), fc.constantFrom('', '"', '\\', ',', '}', ']', '\u0001', '0', '-', 'e', '.', ' ', '\\u12', '\\/')).map(
      ([text, at, length, insert]) => {
        const from = text.length === 0 ? 0 : at % text.length;
        return text.slice(0, from) + insert + text.slice(from + (length % 3));
      },
    );
    fc.assert(
      fc.property(fc.oneof(texts, damaged), (text) => {
        let parsed: unknown;
        let valid = true;
        try {
          parsed = JSON.parse(text);
        } catch {
          valid = false;
        }
        const split = splitRecordsArray(text);
        if (split === undefined) {
          // Only refused when invalid or not a single-"Records" object of an array.
          if (valid && typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Array.isArray((parsed as any).Records)) {
            expect(/"Records"[\s\S]*"Records"|\\/.test(text)).toBe(true);
          }
          return;
        }
        expect(valid).toBe(true);
        const elements = split.starts.map((start, k) => JSON.parse(text.slice(start, split.ends[k])));
        expect(elements).toEqual((parsed as { Records: unknown[] }).Records);
      }),
      { numRuns: 3000 },
    );
    expect(splitRecordsArray('{"Records":[{"a":1}]}')?.starts).toEqual([12]);
    for (const bad of ['{"Records":[01]}', '{"Records":[1.]}', '{"Records":[tru]}', '{"Records":["a\tb"]}', '{"Records":[{"a" 1}]}', '{"Records":[{"a":1,}]}', '{"Records":[1] x', '{"Records":["\\x"]}']) {
      expect(splitRecordsArray(bad)).toBeUndefined();
    }
  });

  it('keeps every record a rule can match, whatever its raw spelling (property)', async () => {
    const spelled = fc.constantFrom<(text: string) => string>(
      (text) => text,
      (text) => text.replace(/"eventName":"([A-Za-z])/, (_, c: string) => `"eventName":"\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
      // Same values, non-canonical spellings: "\u002e" for ".", "\/" for "/", an escaped key.
      (text) => text.replace(/"eventSource":"([^"]*)"/, (_, value: string) => `"eventSource":"${value.replace(/\./g, '\\u002e')}"`),
      (text) => text.replace(/"eventName"/, '"event\\u004eame"'),
      (text) => text.replace(/\//g, '\\/'),
      (text) => text.replace(/"userAgent":"([^"]*) /, (_, head: string) => `"userAgent":"${head}\\u0020`),
    );
    const delivery = fc.constantFrom(...Object.values(ruleSets)).chain((rules) =>
      fc.tuple(
        fc.constant(rules),
        fc.array(
          fc.tuple(
            fc.oneof(fc.integer({ min: 0, max: rules.length - 1 }).chain((n) => cloudTrailDeliveryArbitrary(rules[n]?.ast)), cloudTrailDeliveryArbitrary()),
            fc.constantFrom<unknown>(null, null, null, 'StartExportTask', 'DeleteBucket', 'CreateRole', 'Weird "quoted" name', 42, true, '', ['x']),
            spelled,
          ),
          { maxLength: 12 },
        ),
        fc.boolean(),
      ),
    );
    let alerts = 0;
    await fc.assert(
      fc.asyncProperty(delivery, async ([rules, parts, gzip]) => {
        const texts = parts.map(([{ record }, action, spell]) => {
          const mutated: Record<string, unknown> = { ...record };
          if (action !== null) mutated.eventName = action;
          return spell(JSON.stringify(mutated));
        });
        const text = `{"Records":[${texts.join(',')}]}`;
        alerts += (await expectSameAsFullParse(gzip ? gzipSync(text) : text, 'AWSLogs/1/CloudTrail/x.json.gz', rules)).alerts.length;
      }),
      { numRuns: 300 },
    );
    expect(alerts).toBeGreaterThan(50); // the property is not vacuous
  });

  it('parses far fewer records but finds the same alerts on a realistic log', async () => {
    const records = Array.from({ length: 200 }, (_, n) =>
      n % 50 === 7 ? startExportTaskRecord({ eventID: `id-${n}` }) : startExportTaskRecord({ eventID: `id-${n}`, eventSource: 's3.amazonaws.com', eventName: 'GetObject' }),
    );
    const text = JSON.stringify({ Records: records });
    const outcome = await expectSameAsFullParse(gzipSync(text), 'log.json.gz', ruleSets.seed as CompiledRule[]);
    expect(outcome.alerts).toHaveLength(4);
    expect(outcome.records).toBe(200);
    expect(prefilterRecords(text, createRawPrefilter(ruleSets.seed as CompiledRule[]) as never)?.keep).toHaveLength(4);
  });

  it('reports malformed input, non-object records and odd shapes exactly as the full parse', async () => {
    const good = JSON.stringify(startExportTaskRecord());
    const other = JSON.stringify(startExportTaskRecord({ eventName: 'DescribeDBInstances' }));
    const inputs = [
      `{"Records":[${other},${good}, ${other}`, // truncated
      `{"Records":[${other},{"eventName":"x",},${good}]}`, // a trailing comma inside a record no rule matches
      `{"Records":[${other},5,${good}]}`,
      `{"Records":[${other},"StartExportTask",${good}]}`,
      `{"Records":{}}`,
      `{"Records":[${other}],"Records":[${good}]}`,
      `{"R\\u0065cords":[${good}]}`,
      `[${good},${other}]`,
      `${good}\n${other}\n`,
      `\uFEFF{"Records":[${good}]}`,
      '',
      '{"Records":[]}',
      `{"Records":[${other}]} trailing`,
    ];
    for (const rules of Object.values(ruleSets)) {
      for (const input of inputs) {
        await expectSameAsFullParse(input, 'trail.json', rules);
        await expectSameAsFullParse(Buffer.from(input), 'trail.json', rules);
      }
      await expectSameAsFullParse(Buffer.from([0x1f, 0x8b, 1, 2, 3]), 'broken.json.gz', rules);
    }
    // The truncated log's error keeps its position.
    const [error] = (await scanOutcome(readRecordsForRules(inputs[1] as string, 'trail.json', ruleSets.seed as CompiledRule[]), ruleSets.seed as CompiledRule[])).errors as { position: string }[];
    expect(error?.position).toMatch(/line 1, column \d+/);
  });

  it('matches the full parse on the sample trail', async () => {
    const files = (dir: string): string[] => (statSync(dir).isDirectory() ? readdirSync(dir).sort().flatMap((name) => files(join(dir, name))) : [dir]);
    for (const file of files(join(REPO_ROOT, 'samples/trail'))) {
      for (const rules of Object.values(ruleSets)) await expectSameAsFullParse(readFileSync(file), file, rules);
    }
  });
});

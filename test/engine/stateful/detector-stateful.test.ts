import { buildAlertNotification } from '../../../src/engine/alerts';
import { createDetector, type Detection } from '../../../src/engine/detector';
import { compileRules } from '../../../src/engine/rules';
import { MemoryStateStore } from '../../../src/engine/state';
import { extendBaselineCoverage, readBaselineCoverage } from '../../../src/engine/stateful/baseline-coverage';
import { ACCOUNT } from '../../support/cloudtrail-records';
import {
  createKeyPairRecord,
  isoAt,
  NEW_KEY_PAIR_RULE_ID,
  newKeyPairRule,
  ROOT_BRUTE_FORCE_RULE_ID,
  rootBruteForceRule,
  rootLoginFailureRecord,
} from '../../support/stateful-fixtures';

const receivedAt = new Date('2026-11-20T12:00:00Z');
const DAY = 86_400;

function detectorWith(store = new MemoryStateStore()) {
  return createDetector(compileRules([newKeyPairRule(), rootBruteForceRule()]), { state: store, observeEventTime: (time) => store.observe(time) });
}

async function detectAll(detector: ReturnType<typeof detectorWith>, records: Record<string, unknown>[]): Promise<Detection[]> {
  const detections: Detection[] = [];
  for (const record of records) detections.push(...(await detector.detect(record, { receivedAt })));
  return detections;
}

const kibanaAlert = (detection: Detection | undefined): any => (detection?.alert as any).kibana.alert;
const emailOf = (detection: Detection): string => JSON.parse(buildAlertNotification(detection.alert, detection.rule.rule).message).email;

describe('a new_terms rule in the detector', () => {
  it('alerts on the first sighting only, with kibana.alert.new_terms in field order and a sentence saying what was new', async () => {
    const detections = await detectAll(detectorWith(), [createKeyPairRecord('k1', isoAt(0)), createKeyPairRecord('k2', isoAt(60))]);
    expect(detections).toHaveLength(1);
    const alert = kibanaAlert(detections[0]);
    expect(alert.new_terms).toEqual([ACCOUNT, 'alice']);
    expect(alert.rule.type).toBe('new_terms');
    expect(alert.rule.new_terms_fields).toEqual(['cloud.account.id', 'user.name']);
    expect(alert.rule.history_window_start).toBe('now-7d');
    expect(alert.reason).toBe(`First time in 7 days: user alice in account ${ACCOUNT} called ec2:CreateKeyPair.`);
    expect(detections[0]?.alertKey).toMatch(/^nt-[A-Za-z0-9_-]{16}$/);
  });

  it('says in the alert and the e-mail that the baseline is incomplete until the history window is covered', async () => {
    const store = new MemoryStateStore();
    const detector = detectorWith(store);
    const [first] = await detectAll(detector, [createKeyPairRecord('k1', isoAt(0))]);
    expect(kibanaAlert(first).new_terms_baseline).toEqual({ complete: false, covered_since: '2026-11-20T10:00:00.000Z', history_window_start: 'now-7d' });
    const email = emailOf(first as Detection);
    const text = email.replace(/\n(?! *\n)/g, ' ');
    expect(text.startsWith(`First time in 7 days: user alice in account ${ACCOUNT} called ec2:CreateKeyPair. IAM user alice called ec2:CreateKeyPair`)).toBe(true);
    expect(text).toContain(
      "Baseline incomplete: the detector has this rule's history only since 2026-11-20T10:00:00.000Z, not the whole 7 days it looks back; the value may have been seen before that.",
    );
    expect(email).toMatch(/^NEW TERM\ncloud\.account\.id: 123456789012\nuser\.name: +alice\nHistory: +now-7d$/m);
    // Seven days after the first event the history window is covered.
    const [later] = await detectAll(detector, [createKeyPairRecord('k2', isoAt(7 * DAY), 'bob')]);
    expect(kibanaAlert(later).new_terms).toEqual([ACCOUNT, 'bob']);
    expect(kibanaAlert(later).new_terms_baseline).toBeUndefined();
    expect(emailOf(later as Detection)).not.toContain('Baseline incomplete');
  });

  it('a baseline loaded before the first event makes the history complete from the start', async () => {
    const store = new MemoryStateStore();
    await extendBaselineCoverage(store, [NEW_KEY_PAIR_RULE_ID], Date.parse(isoAt(-14 * DAY)));
    const [alert] = await detectAll(detectorWith(store), [createKeyPairRecord('k1', isoAt(0))]);
    expect(kibanaAlert(alert).new_terms_baseline).toBeUndefined();
    expect(await readBaselineCoverage(store)).toEqual({ [NEW_KEY_PAIR_RULE_ID]: Date.parse(isoAt(-14 * DAY)) });
  });

  it('one event can bring several new terms: one alert each, with their own ids', async () => {
    const rule = { ...newKeyPairRule(), newTerms: { fields: ['user.name', 'aws.cloudtrail.resources.arn'], historyWindowStart: 'now-7d', historyWindowMs: 7 * DAY * 1000 } };
    const detector = createDetector(compileRules([rule]), { state: new MemoryStateStore() });
    const withResources = (id: string, seconds: number, ...arns: string[]) => ({
      ...createKeyPairRecord(id, isoAt(seconds)),
      resources: arns.map((arn) => ({ ARN: arn, accountId: ACCOUNT, type: 'AWS::EC2::KeyPair' })),
    });
    const first = await detector.detect(withResources('k1', 0, 'arn:aws:ec2:us-east-1:123456789012:key-pair/a', 'arn:aws:ec2:us-east-1:123456789012:key-pair/b'), { receivedAt });
    expect(first.map((d) => kibanaAlert(d).new_terms)).toEqual([
      ['alice', 'arn:aws:ec2:us-east-1:123456789012:key-pair/a'],
      ['alice', 'arn:aws:ec2:us-east-1:123456789012:key-pair/b'],
    ]);
    const second = await detector.detect(withResources('k2', 60, 'arn:aws:ec2:us-east-1:123456789012:key-pair/b', 'arn:aws:ec2:us-east-1:123456789012:key-pair/c'), { receivedAt });
    expect(second.map((d) => kibanaAlert(d).new_terms)).toEqual([['alice', 'arn:aws:ec2:us-east-1:123456789012:key-pair/c']]);
    const all = [...first, ...second];
    expect(new Set(all.map((d) => kibanaAlert(d).uuid)).size).toBe(3);
    expect(new Set(all.map((d) => d.alertKey)).size).toBe(3);
  });

  it('an excepted event is not a sighting: a later event of the same term still alerts', async () => {
    const store = new MemoryStateStore();
    const detector = createDetector(compileRules([newKeyPairRule()]), {
      state: store,
      isExcepted: (_rule, document) => (document as any).source?.address === '192.0.2.99',
    });
    expect(await detector.detect({ ...createKeyPairRecord('k1', isoAt(0)), sourceIPAddress: '192.0.2.99' }, { receivedAt })).toEqual([]);
    expect(await detector.detect(createKeyPairRecord('k2', isoAt(60)), { receivedAt })).toHaveLength(1);
  });

  it('a redelivered event raises the very same alert again (delivery drops it by its id)', async () => {
    const detector = detectorWith();
    const [first] = await detector.detect(createKeyPairRecord('k1', isoAt(0)), { receivedAt });
    const [again] = await detector.detect(createKeyPairRecord('k1', isoAt(0)), { receivedAt });
    expect(again?.alertKey).toBe(first?.alertKey);
    expect(again?.alert).toEqual(first?.alert);
  });
});

describe('a threshold rule in the detector', () => {
  it('alerts on the tenth failure in 6 minutes with threshold_result as Elastic names it and the events counted', async () => {
    const ips = ['203.0.113.1', '203.0.113.2', '203.0.113.3'];
    const records = Array.from({ length: 12 }, (_, i) => rootLoginFailureRecord(`f${i + 1}`, isoAt(i * 20), ips[i % 3]));
    const detections = await detectAll(detectorWith(), records);
    expect(detections).toHaveLength(1);
    const alert = kibanaAlert(detections[0]);
    expect(detections[0]?.rule.rule.ruleId).toBe(ROOT_BRUTE_FORCE_RULE_ID);
    expect(alert.threshold_result).toEqual({ terms: [{ field: 'cloud.account.id', value: ACCOUNT }], count: 10, from: '2026-11-20T10:00:00.000Z' });
    expect(alert.threshold_events).toEqual({
      ids: ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9', 'f10'],
      first: '2026-11-20T10:00:00.000Z',
      last: '2026-11-20T10:03:00.000Z',
      source_addresses: 3,
    });
    expect(alert.reason).toBe(`10 failed signin:ConsoleLogin calls in 6 minutes in account ${ACCOUNT} from 3 addresses.`);
    expect(alert.rule.threshold).toEqual({ field: ['cloud.account.id'], value: 10 });
    const email = emailOf(detections[0] as Detection);
    expect(email.replace(/\n(?! *\n)/g, ' ')).toMatch(new RegExp(`^10 failed signin:ConsoleLogin calls in 6 minutes in account ${ACCOUNT} from 3 addresses\\. `));
    expect(email).toMatch(/^COUNTED EVENTS\nCount: +10\ncloud\.account\.id: 123456789012\nFirst: +2026-11-20T10:00:00\.000Z\nLast: +2026-11-20T10:03:00\.000Z\nEvent ids: +f1, f2, f3, f4, f5, f6, f7, f8, f9, f10$/m);
    expect(detections[0]?.alertKey).toMatch(/^th-/);
  });
});

describe('the detector refuses', () => {
  it('stateful rules without a state store, naming them', () => {
    expect(() => createDetector(compileRules([newKeyPairRule(), rootBruteForceRule()]))).toThrow(
      '2 rule(s) ("First EC2 Key Pair Created by a User", "Root Console Login Failures") are new_terms, threshold or eql sequence rules and need a state store',
    );
  });
});
